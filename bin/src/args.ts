/**
 * The command line: the CLI's own options, and every other `--name value` passed on as the
 * API's query parameter `name` (dashes become underscores: `--min-area 0.01` is `min_area=0.01`),
 * checked by the effect's own `parse`, so the flags are the API's parameters with the API's
 * messages. The API's yes/no parameters take no value (`--shadow`; `--shadow=0` turns one off).
 */
import { cpus } from "node:os";
import { DEFAULT_MODEL } from "../../core/models.ts";
import { MODEL_IDS } from "./runtime.ts";

/** The API's yes/no parameters (QueryParams.flag): given alone they mean 1. */
const API_FLAGS = new Set(["shadow", "refine", "cleanup", "transparent", "strict"]);

/** The CLI's own options: name → takes a value. */
const OWN: Record<string, boolean> = {
  out: true,
  jobs: true,
  host: true,
  runtime: true,
  model: true,
  errors: true,
  csv: true,
  concurrency: true,
  size: true,
  watch: false,
  realtime: false,
  help: false,
  quiet: false,
};

export interface Args {
  command: string;
  inputs: string[];
  own: Record<string, string | boolean | undefined>;
  /** Everything else, as the API's query string. */
  query: URLSearchParams;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): Args {
  const [command = "", ...rest] = argv;
  const inputs: string[] = [];
  const own: Args["own"] = {};
  const query = new URLSearchParams();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === "-h") {
      own.help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      inputs.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const takesValue = Object.hasOwn(OWN, name) ? OWN[name] : !API_FLAGS.has(name.replace(/-/g, "_"));
    let value: string | undefined = inline;
    if (value === undefined && takesValue) {
      value = rest[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    if (Object.hasOwn(OWN, name)) own[name] = value ?? true;
    else query.set(name.replace(/-/g, "_"), value ?? "1");
  }
  return { command, inputs, own, query };
}

/** `--jobs` (default: every core) as a number from 1 to 256. */
export function jobsOf(own: Args["own"]): number {
  const raw = own.jobs ?? own.concurrency;
  const jobs = raw === undefined ? cpus().length : Number(raw);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 256) throw new UsageError("--jobs: an integer from 1 to 256");
  return jobs;
}

const COMMON = `
inputs: image files, folders (recursive; subfolders are kept under --out), .txt lists (one
  file path or http(s) URL a line; # comments), or - (one image on stdin, the answer on stdout)

options:
  --out DIR          where answers go, as <name>.<ext> (png unless --format: jpg, webp, avif)
  --jobs N           images at once, each in its own thread (default: every core)
  --watch            keep watching the input folders and do new files as they appear
  --errors FILE      JSON Lines log of failed images (default: DIR/errors.jsonl)
  --runtime R        auto (native if onnxruntime-node loads), native, or wasm (the API's own
                     runtime: byte-equal answers)
  --model M          ${MODEL_IDS.join(" or ")} (default ${DEFAULT_MODEL}, the API's: its EDGE_MODEL);
                     with --host, the service's model= (u2netp, u2net, auto)
  --host URL         send every image to a deployed service instead (retries 429/503, honours
                     Retry-After); --jobs is then the number of requests in flight
  --quiet            no progress bar
  -h, --help         this help

Files already in --out are skipped, so an interrupted run resumes. The exit status is 1 when
any image failed, 2 for a bad command line.`;

/** `--help` per command: the API's parameters for the effect, then the options every command shares. */
export const HELP: Record<string, string> = {
  mask: `edge-u2net mask <inputs…> --out DIR [options]
  the salient object's 8-bit grey mask, the photo's size (255 = object)
  --refine --cleanup --threshold 1-255 --feather 0-50   mask post-processing, in that order
  --max-side N   --format png|jpeg|webp|avif --quality 1-100`,
  remove: `edge-u2net remove <inputs…> --out DIR [options]
  the cutout: the photo with the mask as alpha, or on a new background
  --bg HEX|blur   --bg-url FILE|URL   --shadow   (and the mask options: --refine --threshold …)
  --max-side N   --format png|jpeg|webp|avif --quality 1-100 (jpeg needs --bg)`,
  crop: `edge-u2net crop <inputs…> --out DIR [options]
  the object cropped tight, or a w×h thumbnail framed on it
  --margin PX|%   --transparent   --w N --h N   --fit …   --max-side N   --format png|jpeg|webp|avif --quality 1-100`,
  bbox: `edge-u2net bbox <inputs…> [--out boxes.jsonl] [--csv boxes.csv] [options]
  boxes of the salient objects, appended to --out as JSON Lines (one record per image; a
  rerun skips the images already there without an error); --csv writes them all as CSV.
  With --format png|jpeg|webp|avif the boxes are drawn instead and --out is a folder.
  --min-area 0-1 (default 0.005)`,
  highlight: `edge-u2net highlight <inputs…> --out DIR [options]
  the object kept, the background dimmed, greyed or blurred
  --style dim|gray|blur   --strength 0-1   --max-side N   --format png|jpeg|webp|avif --quality 1-100`,
  frames: `edge-u2net frames --size WxH [--bg HEX] [--jobs N] [--realtime] [mask options]
  raw rgb24 video frames on stdin → rgba frames on stdout (rgb24 on an opaque --bg colour)
  --realtime   never fall behind: a frame that would wait for the model reuses the latest mask
  e.g. ffmpeg -i in.mp4 -f rawvideo -pix_fmt rgb24 - | edge-u2net frames --size 640x360 |
       ffmpeg -f rawvideo -pix_fmt rgba -s 640x360 -r 25 -i - -c:v libvpx-vp9 out.webm`,
};

export const USAGE = `usage: edge-u2net <mask|remove|crop|bbox|highlight> <inputs…> --out DIR [options]
       edge-u2net frames --size WxH [options] < rgb24 > rgba
       edge-u2net <command> --help`;

export const helpFor = (command: string) => (command === "frames" ? HELP.frames : `${HELP[command]}\n${COMMON}`);
