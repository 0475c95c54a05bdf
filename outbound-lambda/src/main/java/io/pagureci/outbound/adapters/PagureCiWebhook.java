package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.FlagUpdate;
import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.PercentEncoding;
import io.pagureci.outbound.domain.PhaseResult;
import io.pagureci.outbound.json.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reporter {@code ci-webhook}: {@code POST <PAGURE_URL>api/0/ci/webhook/<project>} with the JSON
 * status document of docs/protocol.md §7 (schema {@code
 * docs/protocol/ci-webhook-status-v1.schema.json}); the CI token goes in {@code Authorization:
 * token <t>}, never in the URL.
 */
public final class PagureCiWebhook implements io.pagureci.outbound.domain.FlagReporter {
  public static final String PROTOCOL = "pagure-ci-webhook-status";
  public static final String JSON_TYPE = "application/json";

  private final String pagureUrl;
  private final PagureHttp http;

  public PagureCiWebhook(String pagureUrl, PagureHttp http) {
    this.pagureUrl = pagureUrl;
    this.http = http;
  }

  @Override
  public void report(FlagUpdate update) {
    http.post(update.build().project(), uri(update.build()), JSON_TYPE, document(update));
  }

  URI uri(PagureBuild build) {
    StringBuilder path = new StringBuilder();
    for (String part : build.project().split("/")) {
      path.append('/').append(PercentEncoding.encode(part));
    }
    return URI.create(pagureUrl + "api/0/ci/webhook" + path);
  }

  /**
   * The status document (version 1); it describes a build, so there is none for a request's flag.
   */
  public static String document(FlagUpdate u) {
    if (u.ref() == null || u.state() == null) {
      throw new IllegalArgumentException("the ci-webhook status document needs a build");
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("protocol", PROTOCOL);
    doc.put("version", 1);
    doc.put("instance", u.build().instance());
    doc.put("project", u.build().project());
    doc.put("commit", u.build().commit());
    if (u.build().prId() != null) {
      Map<String, Object> pr = new LinkedHashMap<>();
      pr.put("id", u.build().prId());
      if (u.build().prUid() != null) {
        pr.put("uid", u.build().prUid());
      }
      doc.put("pull_request", pr);
    }
    putIfSet(doc, "trigger", u.build().trigger());
    putIfSet(doc, "cause", u.build().cause());
    Map<String, Object> flag = new LinkedHashMap<>();
    flag.put("uid", u.flag().uid());
    flag.put("status", u.flag().status().wire());
    if (u.flag().percent() != null) {
      flag.put("percent", u.flag().percent());
    }
    flag.put("username", u.flag().username());
    flag.put("comment", u.flag().comment());
    flag.put("url", u.flag().url());
    doc.put("flag", flag);
    Map<String, Object> build = new LinkedHashMap<>();
    build.put("system", u.ref().system().id());
    build.put("target", u.ref().target());
    build.put("id", u.ref().id());
    if (u.state().buildNumber() != null) {
      build.put("number", u.state().buildNumber());
    }
    build.put("region", u.ref().region());
    build.put("state", u.state().status());
    build.put("finished", u.state().finished());
    putIfSet(build, "phase", u.state().phase());
    if (!u.state().phases().isEmpty()) {
      List<Object> phases = new ArrayList<>();
      for (PhaseResult p : u.state().phases()) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("phase", p.phase());
        putIfSet(n, "status", p.status());
        phases.add(n);
      }
      build.put("phases", phases);
    }
    doc.put("build", build);
    return Json.write(doc);
  }

  private static void putIfSet(Map<String, Object> node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
