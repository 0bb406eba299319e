package dev.conveyor.deploy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PollingOptionsTest {

  @Test
  void withoutArgumentsItRunsTheIssuesLengthsOnAStackOfItsOwn() {
    PollingOptions options = PollingOptions.parse(new String[0]);
    assertEquals(10, options.perSet());
    assertArrayEquals(new long[] {200, 2_000, 20_000}, options.durationsMs());
    assertTrue(options.url().isEmpty());
    assertEquals(EnumSet.allOf(PollingOptions.PollingSet.class), options.sets());
    assertEquals(EnumSet.allOf(Poller.Strategy.class), options.clients());
  }

  @Test
  void runsOnlyTheSetsAndClientsNamed() {
    PollingOptions options = PollingOptions.parse(new String[] {"--sets", "lengths, load", "--clients", "hints"});
    assertEquals(EnumSet.of(PollingOptions.PollingSet.LENGTHS, PollingOptions.PollingSet.LOAD), options.sets());
    assertEquals(EnumSet.of(Poller.Strategy.HINTS), options.clients());
  }

  @Test
  void takesLengthsInSecondsAndARunningConveyor() {
    PollingOptions options = PollingOptions.parse(
        new String[] {"4", "0.5, 5,60", "--url", "http://127.0.0.1:8080/", "--key", "k", "--api-pid", "123"});
    assertEquals(4, options.perSet());
    assertArrayEquals(new long[] {500, 5_000, 60_000}, options.durationsMs());
    assertEquals(Optional.of("http://127.0.0.1:8080/"), options.url());
    assertEquals(Optional.of("k"), options.key());
    assertEquals(OptionalLong.of(123), options.apiPid());
  }

  @Test
  void refusesWhatItCannotRun() {
    for (String[] args : new String[][] {
        {"0"}, {"x"}, {"10", "0.5,-1"}, {"10", "a,b"}, {"10", "1", "2"}, {"--url"}, {"--port", "1"},
        {"--key", "k"}, {"--url", "http://127.0.0.1:8080", "--api-pid", "one"}, {"--sets", "lengths,all"},
        {"--clients", "hint"}}) {
      assertThrows(IllegalArgumentException.class, () -> PollingOptions.parse(args), String.join(" ", args));
    }
  }

  @Test
  void aRunningConveyorIsReadAtItsUrlWithoutATrailingSlash() throws Exception {
    PollingTarget target = PollingTarget.running("http://127.0.0.1:8080/", "k", OptionalLong.empty());
    assertEquals("http://127.0.0.1:8080", target.baseUrl());
    assertTrue(target.apiTicks().isEmpty());
  }
}
