package dev.conveyor.jobs;

/**
 * Text from handlers (error codes and messages, progress messages) made storable: PostgreSQL refuses the NUL
 * character in text and JSON, so it becomes U+FFFD, and overlong text is cut.
 */
public final class StoredText {
  private StoredText() {
  }

  public static String clean(String text, int maxChars) {
    if (text == null) {
      return null;
    }
    String cleaned = text.indexOf('\u0000') < 0 ? text : text.replace('\u0000', '\uFFFD');
    if (cleaned.length() <= maxChars) {
      return cleaned;
    }
    int end = Character.isHighSurrogate(cleaned.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
    return cleaned.substring(0, end) + "…";
  }
}
