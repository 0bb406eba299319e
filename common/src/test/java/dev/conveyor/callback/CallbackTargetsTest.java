package dev.conveyor.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CallbackTargetsTest {
  private static final CallbackTargets GUARDED = new CallbackTargets(false);
  private static final CallbackTargets OPEN = new CallbackTargets(true);

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
      "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "255.255.255.255", "224.0.0.1", "::1", "::",
      "fe80::1", "fc00::1", "fdff::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a00:1",
      "64:ff9b:1::a9fe:a9fe", "2002:7f00:1::", "2002:c0a8:101::1", "192.0.0.8", "198.18.0.1", "203.0.113.5"})
  void nonPublicAddressesAreRefused(String literal) throws Exception {
    assertTrue(GUARDED.refusal(InetAddress.getByName(literal)).isPresent(), literal);
    assertEquals(Optional.empty(), OPEN.refusal(InetAddress.getByName(literal)), "allowed when private is allowed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8",
      "93.184.216.34", "64:ff9b::808:808", "2002:808:808::1"})
  void publicAddressesAreNot(String literal) throws Exception {
    assertEquals(Optional.empty(), GUARDED.refusal(InetAddress.getByName(literal)), literal);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost/x", "http://LOCALHOST:8080/", "http://api.localhost/", "http://127.0.0.1/",
      "https://10.0.0.8:8443/hook", "http://[::1]/", "http://[fd12::1]:80/", "http://169.254.169.254/latest", "http://localhost./",
      "http://2130706433/", "http://0x7f.1/", "http://017700000001/"})
  void submittedUrlsNamingThisMachineOrAPrivateLiteralAreRefused(String url) {
    assertTrue(GUARDED.refusal(url).isPresent(), url);
    assertEquals(Optional.empty(), OPEN.refusal(url));
  }

  @Test
  void namesAreLeftToTheDeliveryWhichResolvesThem() {
    assertEquals(Optional.empty(), GUARDED.refusal("https://hooks.example.com/x"));
    assertEquals(Optional.empty(), GUARDED.refusal("http://8.8.8.8/x"));
    assertEquals(Optional.empty(), GUARDED.refusal((String) null));
  }
}
