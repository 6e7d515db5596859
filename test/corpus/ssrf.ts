/**
 * URLs that must never be fetched: every blocked range (loopback, private, link-local and
 * cloud metadata, CGNAT, multicast, "this network", broadcast, unique-local, NAT64, 6to4) in
 * every spelling the URL parser accepts (dotted, short, decimal, octal, hex, mixed, IPv6
 * compressed, expanded, IPv4-mapped and -compatible), local names, and schemes other than
 * http(s). Each entry is [URL, expected code].
 */
export const FORBIDDEN_HOSTS: string[] = [
  // loopback
  "127.0.0.1", "127.1", "127.0.1", "127.255.255.254", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1",
  "017700000001", "0177.1", "127.0.0.1.", "[::1]", "[0:0:0:0:0:0:0:1]", "[0::1]", "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]", "[::127.0.0.1]", "[0:0:0:0:0:ffff:127.0.0.1]", "localhost", "LOCALHOST", "localhost.",
  "foo.localhost", "LocalHost.localdomain",
  // private
  "10.0.0.1", "10.255.255.255", "012.0.0.1", "167772161", "0xa000001", "10.1", "172.16.0.1", "172.31.255.255",
  "0xac100001", "2886729729", "192.168.0.1", "192.168.1.1", "3232235777", "0300.0250.0.1", "0xc0.0xa8.1.1",
  "[::ffff:192.168.0.1]", "[::ffff:c0a8:1]", "[fc00::1]", "[fd12:3456:789a::1]", "[fd00:ec2::254]",
  // link-local and cloud metadata
  "169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.0.1", "[::ffff:169.254.169.254]",
  "[fe80::1]", "[fe80::1%25eth0]", "[febf::1]", "metadata.google.internal", "metadata", "instance-data",
  // CGNAT
  "100.64.0.1", "100.127.255.254", "1681915905",
  // multicast, reserved, broadcast, "this network"
  "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "0.0.0.0", "0", "0x0", "0.1.2.3",
  "[ff02::1]", "[ff05::1:3]", "[::]",
  // IPv6 wrappers around blocked IPv4
  "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]", "[2002:a9fe:a9fe::1]", "[::ffff:0:0]",
  // documentation and benchmarking ranges, site-local
  "192.0.2.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "[2001:db8::1]", "[fec0::1]",
  // names that only mean something inside a network
  "intranet", "router.local", "printer.home.arpa", "svc.internal", "db.localdomain",
];

/** The host as it appears in hit counts (the URL parser's canonical form). */
export const canonicalHost = (host: string) => {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return host;
  }
};

export const FORBIDDEN_URLS: string[] = FORBIDDEN_HOSTS.flatMap((host) => [
  `http://${host}/cat.jpg`,
  `https://${host}:8443/latest/meta-data/`,
]);

export const BAD_SCHEMES: string[] = [
  "file:///etc/passwd", "ftp://images.test/a.jpg", "gopher://images.test/", "data:image/png;base64,iVBORw0KGgo=",
  "javascript:alert(1)", "blob:https://images.test/1", "ws://images.test/", "about:blank", "//images.test/a.jpg",
  "/images/chelsea.png", "images.test/images/chelsea.png", "http://", "http://[::1", "https://user:pw@images.test/a.png",
  "not a url",
];
