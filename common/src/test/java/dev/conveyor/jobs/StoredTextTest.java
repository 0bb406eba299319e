package dev.conveyor.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StoredTextTest {

  @Test
  void nulBecomesAReplacementCharacterAndLongTextIsCut() {
    assertNull(StoredText.clean(null, 10));
    assertEquals("a\uFFFDb", StoredText.clean("a\u0000b", 10));
    assertEquals("abc…", StoredText.clean("abcdef", 3));
    assertEquals("ab…", StoredText.clean("ab\uD83D\uDE00", 3), "a surrogate pair is never split");
    assertEquals("code\uFFFD", new JobError("code\u0000", "m").code(), "a job error is always storable");
  }
}
