package io.pagureci.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.pagureci.outbound.testing.StandIns.awsCalls;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.pagureci.outbound.domain.FlagStatus;
import io.pagureci.outbound.testing.Fixtures;
import io.pagureci.outbound.testing.Invoke;
import io.pagureci.outbound.testing.StandIns;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pagure fails ~30 % of calls at random (5xx, 429, connection resets, answers slower than the
 * timeout) over many builds whose events arrive shuffled and duplicated; Lambda's async retries (2)
 * are emulated. Every build's final status is either on pagure or its events surfaced as thrown
 * failures (the on-failure destination).
 */
class FaultIT {
  private static final String TOKEN = "FAULTTOKEN0123456789THROWAWAYVALUE";

  /** Terminal fixture → (BatchGetBuilds status, failed phase, phase status, expected flag). */
  private static final List<Object[]> ENDINGS =
      List.of(
          new Object[] {
            "codebuild/state-succeeded.json", "SUCCEEDED", null, null, FlagStatus.SUCCESS
          },
          new Object[] {
            "codebuild/state-failed-in-build.json", "FAILED", "BUILD", "FAILED", FlagStatus.FAILURE
          },
          new Object[] {
            "codebuild/state-failed-client-error.json",
            "FAILED",
            "DOWNLOAD_SOURCE",
            "CLIENT_ERROR",
            FlagStatus.ERROR
          },
          new Object[] {
            "codebuild/state-stopped.json", "STOPPED", "BUILD", "STOPPED", FlagStatus.CANCELED
          },
          new Object[] {
            "codebuild/state-timed-out.json", "TIMED_OUT", "BUILD", "TIMED_OUT", FlagStatus.FAILURE
          });

  /**
   * pagure in WireMock: fails at random, otherwise records the flag (uid → status) and answers like
   * pagure.
   */
  static final class FlakyPagure implements ResponseDefinitionTransformerV2 {
    final Random random = new Random(20261127L);
    volatile int failurePercent = 30;
    final Map<String, String> flags = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger faults = new AtomicInteger();

    @Override
    public String getName() {
      return "flaky-pagure";
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public synchronized ResponseDefinition transform(ServeEvent serveEvent) {
      calls.incrementAndGet();
      if (random.nextInt(100) < failurePercent) {
        faults.incrementAndGet();
        int kind = random.nextInt(100);
        if (kind < 40) {
          return StandIns.captured("pr_flag_json_numeric_percent")
              .withStatus(500 + random.nextInt(4))
              .build();
        }
        if (kind < 50) {
          return aResponse().withStatus(429).withBody("Too Many Requests").build();
        }
        if (kind < 90) {
          return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
        }
        return StandIns.captured("commit_flag_pr_head_form").withFixedDelay(1500).build();
      }
      Map<String, String> form = new HashMap<>();
      for (String pair : serveEvent.getRequest().getBodyAsString().split("&")) {
        String[] kv = pair.split("=", 2);
        form.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
      flags.put(form.get("uid"), form.get("status"));
      return serveEvent.getResponseDefinition();
    }
  }

  /** Everything written to stdout/stderr while the test runs (where slf4j-simple logs). */
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  private PrintStream realOut;
  private PrintStream realErr;
  private FlakyPagure pagure;
  private StandIns aws;

  @BeforeEach
  void start() {
    realOut = System.out;
    realErr = System.err;
    System.setOut(new PrintStream(tee(realOut), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(tee(realErr), true, StandardCharsets.UTF_8));
    pagure = new FlakyPagure();
    aws = new StandIns(pagure);
    aws.secret(TOKEN);
    aws.wm.stubFor(
        post(urlPathMatching("/api/0/demo/c/[0-9a-f]{40}/flag"))
            .willReturn(
                StandIns.captured("commit_flag_pr_head_form").withTransformers("flaky-pagure")));
  }

  private OutputStream tee(PrintStream real) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        real.write(b);
        synchronized (captured) {
          captured.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        real.write(b, off, len);
        synchronized (captured) {
          captured.write(b, off, len);
        }
      }
    };
  }

  @AfterEach
  void stop() {
    aws.close();
    System.setOut(realOut);
    System.setErr(realErr);
  }

  private static String sha(int build) {
    return String.format("%040x", 0xc0ffee000L + build * 7919L);
  }

  private static String uuid(int build) {
    return String.format("%08d-0000-4000-8000-%012d", build, build);
  }

  @Test
  void withAbout30PercentFailuresEveryFinalStatusIsDeliveredOrSurfacesAsAThrownFailure() {
    Map<Integer, Integer> deadLettered = run(30, 4, 3, 15);

    assertThat(pagure.faults.get()).as("faults injected").isGreaterThan(5);
    assertThat(deadLettered)
        .as("with 4 attempts and 2 Lambda retries nothing should be lost")
        .isEmpty();
  }

  @Test
  void whenRetriesRunOutTheFailureIsThrownNeverSwallowed() {
    Map<Integer, Integer> deadLettered = run(60, 2, 1, 8);

    assertThat(deadLettered).as("failures must surface as thrown exceptions").isNotEmpty();
  }

  /** Returns, per build, how many deliveries ended in the on-failure destination. */
  private Map<Integer, Integer> run(
      int failurePercent, int retryAttempts, int lambdaAttempts, int builds) {
    pagure.failurePercent = failurePercent;
    Map<String, String> env = aws.env();
    env.put("PAGURE_TIMEOUT_SECONDS", "1");
    env.put("RETRY_MAX_ATTEMPTS", Integer.toString(retryAttempts));
    env.put("RETRY_BASE_DELAY_MILLIS", "10");
    OutboundHandler handler = new OutboundHandler(DependencyFactory.create(env));
    Random random = new Random(42L);

    Map<Integer, FlagStatus> expected = new HashMap<>();
    List<Object[]> deliveries = new ArrayList<>();
    for (int b = 0; b < builds; b++) {
      Object[] ending = ENDINGS.get(b % ENDINGS.size());
      expected.put(b, (FlagStatus) ending[4]);
      String arn = Fixtures.BUILD_ARN.replace("6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44", uuid(b));
      Map<String, String> vars = StandIns.pagureVars(aws.pagureUrl());
      vars.put("PAGURE_COMMIT", sha(b));
      List<String[]> phases = new ArrayList<>();
      phases.add(new String[] {"SUBMITTED", "SUCCEEDED"});
      if (ending[2] != null) {
        phases.add(new String[] {(String) ending[2], (String) ending[3]});
      }
      phases.add(new String[] {"COMPLETED"});
      aws.build(arn, (String) ending[1], "COMPLETED", phases, vars);
      List<String> events =
          new ArrayList<>(
              List.of(
                  "codebuild/state-in-progress.json",
                  "codebuild/phase-pre-build-completed.json",
                  (String) ending[0]));
      if (random.nextBoolean()) {
        events.add(events.get(random.nextInt(events.size())));
      }
      for (String fixture : events) {
        String json =
            Fixtures.event(fixture, aws.pagureUrl())
                .replace("6f1c2b3a-8d4e-4c1f-9a7b-2e5d0c9f1a44", uuid(b))
                .replace(Fixtures.SHA, sha(b));
        deliveries.add(new Object[] {b, json});
      }
    }
    Collections.shuffle(deliveries, random);

    Map<Integer, Integer> delivered = new HashMap<>();
    Map<Integer, Integer> deadLettered = new HashMap<>();
    Map<Integer, String> uids = new HashMap<>();
    List<String> failureMessages = new ArrayList<>();
    for (Object[] d : deliveries) {
      int build = (Integer) d[0];
      boolean ok = false;
      for (int attempt = 1; attempt <= lambdaAttempts && !ok; attempt++) {
        try {
          var out = Invoke.handle(handler, (String) d[1]);
          assertThat(out.path("outcome").asText()).isEqualTo("posted");
          uids.put(build, out.path("uid").asText());
          ok = true;
        } catch (RuntimeException e) {
          failureMessages.add(String.valueOf(e.getMessage()));
        }
      }
      (ok ? delivered : deadLettered).merge(build, 1, Integer::sum);
    }

    for (int b = 0; b < builds; b++) {
      String uid = uids.get(b);
      if (uid != null && pagure.flags.containsKey(uid)) {
        assertThat(pagure.flags.get(uid)).as("build %d", b).isEqualTo(expected.get(b).wire());
      } else {
        assertThat(deadLettered.get(b))
            .as("build %d neither delivered nor dead-lettered", b)
            .isNotNull();
      }
    }
    assertThat(
            delivered.values().stream().mapToInt(Integer::intValue).sum()
                + deadLettered.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(deliveries.size());
    aws.wm.verify(1, awsCalls("secretsmanager.GetSecretValue"));
    assertThat(failureMessages).noneMatch(m -> m.contains(TOKEN));
    String logs;
    synchronized (captured) {
      logs = captured.toString(StandardCharsets.UTF_8);
    }
    assertThat(logs)
        .contains("\"decision\":\"posted\"")
        .contains("\"decision\":\"retry\"")
        .doesNotContain(TOKEN);
    return deadLettered;
  }
}
