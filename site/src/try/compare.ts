/**
 * The before/after slider: the result laid over the original, uncovered from the left as far
 * as the range input says. The range input makes it keyboard-operable (arrows, Home/End).
 */
export function compareSlider(container: HTMLElement, range: HTMLInputElement): void {
  const update = () => container.style.setProperty("--split", `${range.value}%`);
  range.addEventListener("input", update);
  update();
}
