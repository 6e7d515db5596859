/**
 * Signs an API URL for a service that has SIGNING_KEY set.
 *
 *   SIGNING_KEY=… npm run sign-url -- "https://host/crop?url=https://example.com/cat.jpg&w=200&h=200" [--expires 3600]
 *
 * Prints the URL with `sig=` (and `exp=` when --expires gives a lifetime in seconds). The same
 * function the worker verifies with does the signing: worker/front/guard/signature.ts.
 */
import { signUrl } from "../worker/front/guard/signature";

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith("--"));
const expiresFlag = args.indexOf("--expires");
const lifetime = expiresFlag >= 0 ? Number(args[expiresFlag + 1]) : undefined;
const key = process.env.SIGNING_KEY;

if (!url || !key || (lifetime !== undefined && !(lifetime > 0))) {
  console.error('usage: SIGNING_KEY=… npm run sign-url -- "<API URL>" [--expires <seconds>]');
  process.exit(2);
}
console.log(await signUrl(url, key, lifetime ? new Date(Date.now() + lifetime * 1000) : undefined));
