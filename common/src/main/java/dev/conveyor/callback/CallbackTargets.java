package dev.conveyor.callback;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where callbacks may go. Unless private targets are allowed, a callback to a loopback, link-local, private or
 * otherwise non-public address is refused: the server must not be a way to reach its own network (request forgery).
 * Submits check what a URL says without a DNS lookup; each delivery checks the addresses its host resolves to, and
 * connects only to an address it checked.
 */
public record CallbackTargets(boolean allowPrivate) {
  private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  /** A host of numbers only (decimal, octal or hex parts) that is not a dotted IPv4 address. */
  private static final Pattern NUMERIC_HOST =
      Pattern.compile("(?!\\d{1,3}(\\.\\d{1,3}){3}$)(0x[0-9a-f]+|\\d+)(\\.(0x[0-9a-f]+|\\d+)){0,3}");

  /** Why a callback URL is refused as submitted, judged without DNS: a name of this machine or a non-public literal. */
  public Optional<String> refusal(String url) {
    if (allowPrivate || url == null) {
      return Optional.empty();
    }
    String host = URI.create(url).getHost();
    if (host == null) {
      return Optional.of("callbackUrl has no host");
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      return Optional.of("callbackUrl names this machine (" + host + ")");
    }
    if (NUMERIC_HOST.matcher(name).matches()) {
      // 2130706433 or 0x7f.1: what C resolvers read as addresses, this reads as what they are.
      return Optional.of("callbackUrl's host is a number (" + host + "); write an address in dotted form");
    }
    boolean literal = IPV4_LITERAL.matcher(name).matches() || name.startsWith("[");
    if (!literal) {
      return Optional.empty();
    }
    try {
      // A literal: getByName parses it and asks no DNS.
      return refusal(InetAddress.getByName(name));
    } catch (UnknownHostException e) {
      return Optional.of("callbackUrl has an address that cannot be read (" + host + ")");
    }
  }

  /** Why a delivery must not connect to {@code address}, if it must not. */
  public Optional<String> refusal(InetAddress address) {
    if (allowPrivate) {
      return Optional.empty();
    }
    String kind = nonPublic(address);
    return kind == null ? Optional.empty()
        : Optional.of("callbackUrl resolves to a " + kind + " address (" + address.getHostAddress() + "); callbacks "
            + "to loopback, link-local and private addresses are refused");
  }

  private static String nonPublic(InetAddress address) {
    InetAddress ip = unmapped(address);
    if (ip.isLoopbackAddress()) {
      return "loopback";
    }
    if (ip.isLinkLocalAddress()) {
      return "link-local";
    }
    if (ip.isSiteLocalAddress() || uniqueLocal(ip) || sharedAddressSpace(ip)) {
      return "private";
    }
    if (ip.isAnyLocalAddress() || ip.isMulticastAddress() || reserved(ip)) {
      return "non-public";
    }
    return null;
  }

  /**
   * An IPv6 address that carries an IPv4 one is judged as that IPv4 address: mapped (::ffff:a.b.c.d), compatible
   * (::a.b.c.d), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4 (2002:aabb:ccdd::/48).
   */
  private static InetAddress unmapped(InetAddress address) {
    byte[] b = address.getAddress();
    if (!(address instanceof Inet6Address) || b.length != 16) {
      return address;
    }
    boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = isZero(b, 0, 12) && !isZero(b, 12, 15);
    boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
        && (isZero(b, 4, 12) || ((b[4] & 0xff) == 0 && (b[5] & 0xff) == 1));
    if (mapped || compatible || nat64) {
      return v4(b[12], b[13], b[14], b[15]);
    }
    if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
      return v4(b[2], b[3], b[4], b[5]);
    }
    return address;
  }

  private static InetAddress v4(byte a, byte b, byte c, byte d) {
    try {
      return InetAddress.getByAddress(new byte[] {a, b, c, d});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** fc00::/7 */
  private static boolean uniqueLocal(InetAddress ip) {
    return ip instanceof Inet6Address && (ip.getAddress()[0] & 0xfe) == 0xfc;
  }

  /** 100.64.0.0/10, the carrier-grade NAT range: private in all but name. */
  private static boolean sharedAddressSpace(InetAddress ip) {
    byte[] b = ip.getAddress();
    return ip instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
  }

  /**
   * 0.0.0.0/8, 240.0.0.0/4 (with the broadcast address), 192.0.0.0/24 (protocol assignments), 198.18.0.0/15
   * (benchmarking) and the three documentation ranges.
   */
  private static boolean reserved(InetAddress ip) {
    if (!(ip instanceof Inet4Address)) {
      return false;
    }
    byte[] b = ip.getAddress();
    int a0 = b[0] & 0xff;
    int a1 = b[1] & 0xff;
    int a2 = b[2] & 0xff;
    return a0 == 0 || a0 >= 240 || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) || (a0 == 198 && (a1 & 0xfe) == 18)
        || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113);
  }
}
