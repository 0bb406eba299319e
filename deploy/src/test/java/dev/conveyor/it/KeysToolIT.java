package dev.conveyor.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.deploy.JavaProcess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The keys command, run as a user would, against the API a client uses. */
@ExtendWith(TestStack.class)
class KeysToolIT {

  private record Run(int exit, String output) {
  }

  private static Run keys(String... args) throws Exception {
    Process process = JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx128m"),
        "dev.conveyor.api.auth.KeysTool", List.of(args), TestStack.env()).redirectErrorStream(true).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void createdKeyWorksListsByIdAndStopsWorkingOnceRevoked() throws Exception {
    Run created = keys("create", "zeta");
    assertEquals(0, created.exit(), created.output());
    String key = created.output().lines().findFirst().orElseThrow().trim();
    String id = created.output().replaceAll("(?s).*id ([0-9a-f]{12}).*", "$1");
    assertEquals(202, Http.submit(key, "{\"type\":\"noop\"}").statusCode());
    assertEquals(0L, TestStack.sql("SELECT count(*) FROM api_keys WHERE key_hash = $1", key).iterator().next()
        .getLong(0), "the key itself is never stored");

    Run listed = keys("list");
    assertEquals(0, listed.exit());
    assertTrue(listed.output().lines().anyMatch(l -> l.startsWith(id) && l.contains("zeta")), listed.output());
    assertTrue(!listed.output().contains(key), "list never shows a key");

    Run revoked = keys("revoke", id);
    assertEquals(0, revoked.exit(), revoked.output());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
    int status = 202;
    while (System.nanoTime() < deadline && status != 401) {
      status = Http.get("/v1/jobs", key).statusCode();
      Http.pause(250);
    }
    assertEquals(401, status, "revocation takes effect within seconds");
    assertEquals(1, keys("revoke", id).exit(), "nothing left to revoke");
  }

  @Test
  void badUsageExplainsItself() throws Exception {
    Run run = keys("delete", "x");
    assertEquals(2, run.exit());
    assertTrue(run.output().contains("usage:"), run.output());
  }
}
