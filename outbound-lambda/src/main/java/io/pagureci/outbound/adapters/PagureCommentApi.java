package io.pagureci.outbound.adapters;

import io.pagureci.outbound.domain.PagureBuild;
import io.pagureci.outbound.domain.PagureUrls;
import io.pagureci.outbound.domain.PullRequestComments;
import io.pagureci.outbound.domain.ReportFailedException;
import io.pagureci.outbound.json.Json;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * pagure's pull-request comments (pagure 5.14 {@code api_pull_request_add_comment} and {@code
 * api_pull_request_view}; the request and answer are in testdata/pagure/comments/, taken from
 * pagure's source):
 *
 * <ul>
 *   <li>{@code POST api/0/<project>/pull-request/<id>/comment}, form field {@code comment}, ACL
 *       {@code pull_request_comment}, answer {@code {"message": "Comment added"}} — sent once per
 *       call ({@code once}: a client with one attempt; a POST is not repeated blindly).
 *   <li>{@code GET api/0/<project>/pull-request/<id>}: the PR with its {@code comments}, each with
 *       the raw text in {@code comment} — looked through for a marker.
 * </ul>
 *
 * The project path is the PR's target project as pagure's routes spell it ({@code ns/name}, forks
 * {@code fork/<user>/...}).
 */
public final class PagureCommentApi implements PullRequestComments {
  private final String pagureUrl;
  private final PagureHttp once;
  private final PagureHttp reads;

  /**
   * @param pagureUrl pagure's base URL with a trailing {@code /}
   * @param once posts with a single attempt
   * @param reads reads (retried as any idempotent request)
   */
  public PagureCommentApi(String pagureUrl, PagureHttp once, PagureHttp reads) {
    this.pagureUrl = Objects.requireNonNull(pagureUrl);
    this.once = once;
    this.reads = reads;
  }

  URI pullRequest(PagureBuild build) {
    if (build.prId() == null) {
      throw new IllegalArgumentException("not a pull-request build");
    }
    return URI.create(
        pagureUrl
            + "api/0/"
            + PagureUrls.projectPath(build.project())
            + "/pull-request/"
            + build.prId());
  }

  @Override
  public void post(PagureBuild build, String comment) {
    URI uri = URI.create(pullRequest(build) + "/comment");
    once.post(
        build.project(), uri, PagureFlagApi.FORM, FormEncoding.encode(Map.of("comment", comment)));
  }

  @Override
  public boolean contains(PagureBuild build, String marker) {
    URI uri = pullRequest(build);
    String body = reads.get(build.project(), uri);
    Object pr;
    try {
      pr = Json.parse(body);
    } catch (IOException e) {
      throw new ReportFailedException(
          "pagure's answer to GET " + uri.getPath() + " is not JSON", 200, true, e);
    }
    Object list = Json.path(pr, "comments");
    if (!(list instanceof java.util.List<?>)) {
      throw new ReportFailedException(
          "pagure's answer to GET " + uri.getPath() + " has no comments list", 200, true, null);
    }
    for (Object c : Json.elements(list)) {
      String text = Json.string(c, "comment");
      if (text != null && text.contains(marker)) {
        return true;
      }
    }
    return false;
  }
}
