package dev.conveyor.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** W3C trace context headers: what is accepted, and how a trace goes on from hop to hop. */
class TraceContextTest {
  private static final String GIVEN = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void aValidHeaderIsReadAndWrittenBackAsItCame() {
    TraceContext trace = TraceContext.parse(GIVEN).orElseThrow();
    assertEquals("0af7651916cd43dd8448eb211c80319c", trace.traceId());
    assertEquals("b7ad6b7169203331", trace.parentId());
    assertEquals("01", trace.flags());
    assertEquals(GIVEN, trace.header());
    assertEquals(Optional.of(trace), TraceContext.parse(" " + GIVEN + " "), "surrounding blanks are allowed");
    assertTrue(TraceContext.parse("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later").isPresent(),
        "a later version may add fields");
  }

  @Test
  void onlyTheSampledFlagIsPassedOn() {
    assertEquals("01", TraceContext.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ff").orElseThrow().flags());
    assertEquals("00", TraceContext.parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-fe").orElseThrow().flags());
  }

  @Test
  void invalidHeadersNameNoTrace() {
    for (String bad : new String[] {null, "", "garbage", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"}) {
      assertEquals(Optional.empty(), TraceContext.parse(bad), String.valueOf(bad));
    }
  }

  @Test
  void aChildKeepsTheTraceAndTakesANewSpan() {
    TraceContext parent = TraceContext.parse(GIVEN).orElseThrow();
    TraceContext child = parent.child();
    assertEquals(parent.traceId(), child.traceId());
    assertEquals(parent.flags(), child.flags());
    assertNotEquals(parent.parentId(), child.parentId());
    assertEquals(Optional.of(child), TraceContext.parse(child.header()), "a child is a valid header");
    assertEquals(parent.traceId(), TraceContext.continueOrStart(GIVEN).traceId());
    assertNotEquals(parent.parentId(), TraceContext.continueOrStart(GIVEN).parentId());
  }

  @Test
  void withNoValidHeaderANewTraceStarts() {
    TraceContext started = TraceContext.continueOrStart("not a trace");
    assertTrue(TraceContext.parse(started.header()).isPresent(), started.header());
    assertNotEquals(started.traceId(), TraceContext.newRoot().traceId(), "every new trace is its own");
    assertEquals("01", started.flags(), "sampled");
  }
}
