/**
 * Bad calls to `POST /v1.0/removebg` for the bad-input corpus: bodies it cannot read, fields
 * with bad values, images that are not, hostile image_url values. Each must answer remove.bg's
 * error envelope with a documented code and status.
 */
import { FORBIDDEN_URLS } from "./ssrf";

export interface RemoveBgCase {
  name: string;
  body: () => BodyInit;
  headers?: Record<string, string>;
  expect: number[];
}

const PHOTO = "https://images.test/images/chelsea.png";
const json = (fields: Record<string, unknown>) => () => JSON.stringify(fields);
const JSON_TYPE = { "content-type": "application/json" };

function form(fields: Record<string, string | Blob>): () => FormData {
  return () => {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return body;
  };
}

/** @param files one valid file of each supported type */
export function removeBgCases(files: Record<string, Uint8Array>): RemoveBgCase[] {
  const out: RemoveBgCase[] = [];
  const withJson = (name: string, fields: Record<string, unknown>, expect: number[]) => out.push({ name, body: json(fields), headers: JSON_TYPE, expect });
  // Fields with bad values, each on a photo that would otherwise be fine.
  const bad: Record<string, unknown>[] = [
    { size: "huge" }, { size: "" + "x".repeat(500) }, { format: "gif" }, { format: "zip" }, { channels: "rgb" }, { bg_color: "green!" },
    { bg_color: "12345" }, { bg_color: "fff", bg_image_url: PHOTO }, { bg_image_url: "ftp://images.test/x.png" }, { bg_image_url: "http://127.0.0.1/" },
    { crop: "maybe" }, { crop: true, crop_margin: "lots" }, { crop: true, crop_margin: "101%" }, { crop: true, crop_margin: "-5" },
    { crop_margin: "10px" }, { crop: true, channels: "alpha" }, { crop: true, bg_image_url: PHOTO }, { scale: "50%" }, { position: "center" },
    { roi: "0 0 10 10" }, { bg_image_file: "x" }, { size: { nested: true } }, { type: ["person"] }, { format: "jpg", bg_color: "fff8" },
  ];
  for (const fields of bad) withJson(`removebg ${JSON.stringify(fields).slice(0, 60)}`, { image_url: PHOTO, ...fields }, [400, 403]);
  // Where the image comes from.
  withJson("removebg no image", { size: "full" }, [400]);
  withJson("removebg two images", { image_url: PHOTO, image_file_b64: "AAAA" }, [400]);
  withJson("removebg image_file as text", { image_file: "cat.jpg" }, [400]);
  withJson("removebg base64 that is not", { image_file_b64: "%%%%" }, [400]);
  withJson("removebg base64 of text", { image_file_b64: btoa("hello, not an image") }, [415]);
  out.push({ name: "removebg JSON array", body: () => "[]", headers: JSON_TYPE, expect: [400] });
  for (const url of FORBIDDEN_URLS.filter((_, i) => i % 8 === 0)) withJson(`removebg image_url=${url}`, { image_url: url }, [400, 403]);
  out.push({ name: "removebg JSON that does not parse", body: () => "{", headers: JSON_TYPE, expect: [400] });
  out.push({ name: "removebg raw image body", body: () => files.png, headers: { "content-type": "image/png" }, expect: [415] });
  out.push({ name: "removebg broken multipart", body: () => "--x\r\nContent-Disposition: form-data; name=", headers: { "content-type": "multipart/form-data; boundary=x" }, expect: [400] });
  // Files that are not what they claim, as uploads.
  for (const [type, bytes] of Object.entries(files)) {
    out.push({ name: `removebg ${type} truncated`, body: form({ image_file: new Blob([bytes.subarray(0, 100)]) }), expect: [415, 422] });
    out.push({ name: `removebg ${type} as base64, truncated`, body: json({ image_file_b64: btoa(String.fromCharCode(...bytes.subarray(0, 64))) }), headers: JSON_TYPE, expect: [415, 422] });
  }
  out.push({ name: "removebg SVG upload", body: form({ image_file: new Blob(['<svg xmlns="http://www.w3.org/2000/svg"/>']) }), expect: [415] });
  return out;
}
