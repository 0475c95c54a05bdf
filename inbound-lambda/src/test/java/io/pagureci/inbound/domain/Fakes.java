package io.pagureci.inbound.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory stand-ins for the inbound ports, recording every call. */
public final class Fakes {

  private Fakes() {}

  public static final class RecordingPackager implements SourcePackager {
    public final List<FetchPlan> plans = new ArrayList<>();
    public final List<String> keys = new ArrayList<>();
    SourceException failWith;
    String buildspec;
    int versions;

    @Override
    public PackagedSource pack(FetchPlan plan, String objectKey) throws SourceException {
      plans.add(plan);
      keys.add(objectKey);
      if (failWith != null) {
        throw failWith;
      }
      versions++;
      return new PackagedSource("src-bucket", objectKey, "v" + versions, 1234,
          plan.trustedBuildspec().isPresent() ? (buildspec == null ? "version: 0.2" : buildspec) : null);
    }
  }

  public static final class RecordingStarter implements BuildStarter {
    public final List<BuildRequest> requests = new ArrayList<>();
    public final List<PackagedSource> sources = new ArrayList<>();
    public final List<String> tokens = new ArrayList<>();
    BuildStartException failWith;

    @Override
    public StartedBuild start(BuildRequest request, PackagedSource source, String token)
        throws BuildStartException {
      requests.add(request);
      sources.add(source);
      tokens.add(token);
      if (failWith != null) {
        throw failWith;
      }
      return new StartedBuild("codebuild", "proj:build-" + requests.size());
    }
  }

  public static final class MemoryRecords implements BuildRecords {
    public final Map<String, BuildRecord> records = new HashMap<>();
    int finds;
    int saves;

    @Override
    public Optional<BuildRecord> find(String token) {
      finds++;
      return Optional.ofNullable(records.get(token));
    }

    @Override
    public void save(String token, BuildRecord record) {
      saves++;
      records.put(token, record);
    }
  }

  public static final class MapSecrets implements Secrets {
    public final Map<String, String> values = new HashMap<>();
    public final AtomicInteger reads = new AtomicInteger();
    boolean unavailable;

    @Override
    public String read(String secretId) throws SecretsUnavailableException {
      reads.incrementAndGet();
      if (unavailable) {
        throw new SecretsUnavailableException("secret store down", null);
      }
      String v = values.get(secretId);
      if (v == null) {
        throw new SecretsUnavailableException("no secret " + secretId, null);
      }
      return v;
    }
  }

  /** Captures decision lines instead of logging them. */
  public static final class CapturingLog extends DecisionLog {
    public final List<String> lines = new ArrayList<>();

    @Override
    protected void write(String level, String json) {
      lines.add(level + " " + json);
    }
  }
}
