package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.Flag;
import io.pagureci.outbound.domain.FlagReporter;
import io.pagureci.outbound.domain.FlagUpdate;
import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.PagureUrls;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reporter {@code flag-api}: pagure's flag API, form-encoded ({@code username, comment, url,
 * status, percent, uid}), {@code Authorization: token <api token>}. Commit endpoint {@code
 * api/0/<project>/c/<sha>/flag} by default; with the pull-request endpoint, {@code
 * api/0/<project>/pull-request/<id>/flag} for PR builds (branch builds still use the commit
 * endpoint).
 */
public final class PagureFlagApi implements FlagReporter {
  public static final String FORM = "application/x-www-form-urlencoded";

  private final String pagureUrl;
  private final boolean pullRequestEndpoint;
  private final PagureHttp http;

  /**
   * @param pagureUrl pagure's base URL with a trailing {@code /}
   */
  public PagureFlagApi(String pagureUrl, boolean pullRequestEndpoint, PagureHttp http) {
    this.pagureUrl = pagureUrl;
    this.pullRequestEndpoint = pullRequestEndpoint;
    this.http = http;
  }

  @Override
  public void report(FlagUpdate update) {
    http.post(
        update.build().project(),
        uri(update.build()),
        FORM,
        FormEncoding.encode(fields(update.flag())));
  }

  URI uri(PagureBuild build) {
    String where =
        pullRequestEndpoint && build.prId() != null
            ? "/pull-request/" + build.prId()
            : "/c/" + build.commit();
    return URI.create(pagureUrl + "api/0/" + apiPath(build.project()) + where + "/flag");
  }

  /** Fields in the order pagure's own clients send them. */
  static Map<String, String> fields(Flag flag) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("username", flag.username());
    f.put("comment", flag.comment());
    f.put("url", flag.url());
    f.put("status", flag.status().wire());
    if (flag.percent() != null) {
      f.put("percent", flag.percent().toString());
    }
    f.put("uid", flag.uid());
    return f;
  }

  /**
   * API path of a project: {@code ns/name}; forks ({@code forks/user/...}) are {@code
   * fork/user/...}.
   */
  static String apiPath(String fullname) {
    return PagureUrls.projectPath(fullname);
  }
}
