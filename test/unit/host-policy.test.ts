import { describe, expect, it } from "vitest";
import { isForbiddenHost } from "../../worker/front/source/host-policy";

/** Hosts as the WHATWG URL parser hands them over (it normalises numeric IPv4 spellings). */
const host = (url: string) => new URL(url).hostname;

describe("host policy for url=", () => {
  it.each([
    "http://localhost/", "http://LOCALHOST./", "http://a.b.localhost/", "http://printer.local/", "http://intranet/",
    "http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://017700000001/",
    "http://0.0.0.0/", "http://10.1.2.3/", "http://172.31.255.255/", "http://192.168.0.1/", "http://100.127.0.1/",
    "http://169.254.169.254/", "http://224.0.0.1/", "http://255.255.255.255/", "http://198.18.0.1/",
    "http://[::1]/", "http://[::]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:a9fe:a9fe]/",
    "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/", "http://[ff02::1]/", "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/", "http://[::127.0.0.1]/",
  ])("refuses %s", (url) => {
    expect(isForbiddenHost(host(url))).toBe(true);
  });

  it.each(["https://example.com/", "https://images.test/", "http://8.8.8.8/", "http://172.32.0.1/", "http://100.128.0.1/", "http://[2606:4700::1111]/", "http://[::ffff:8.8.8.8]/"])(
    "allows %s",
    (url) => {
      expect(isForbiddenHost(host(url))).toBe(false);
    },
  );
});
