package io.pagureci.inbound.pagure;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.inbound.domain.Names;
import io.pagureci.inbound.domain.ProjectMembers;
import io.pagureci.inbound.domain.Rejection;
import io.pagureci.inbound.domain.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@link ProjectMembers} from pagure's public API on the configured instance ({@code PAGURE_URL};
 * never a URL from a payload), without a token: the access lists of a public project are public.
 *
 * <ul>
 *   <li>{@code GET <PAGURE_URL>api/0/<project>} ({@code api/0/fork/<user>/<name>} for a fork) —
 *       pagure's {@code api_project} answers {@code Project.to_json(public=True)}: {@code
 *       "access_users": {"owner": [..], "admin": [..], "commit": [..], "collaborator": [..],
 *       "ticket": [..]}} and {@code "access_groups": {"admin": [..], "commit": [..], …}}, lists of
 *       names (pagure/api/project.py; the same object is {@code msg.pullrequest.project} of a real
 *       5.14 web-hook, testdata/pagure/webhooks/pull-request.new-1).
 *   <li>{@code GET <PAGURE_URL>api/0/group/<name>} — {@code api_view_group}: {@code "members":
 *       [user names]} (pagure/api/group.py).
 * </ul>
 *
 * A network failure, a timeout, a 5xx / 429 or an unreadable body is transient; a 401 / 403 / 404
 * for the project is permanent (a private project is invisible without a token); a group that is
 * gone (404) has no members.
 */
public final class PagureApiMembers implements ProjectMembers {

  /** Largest answer read (a project's JSON with long access lists is a few kB). */
  static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  /**
   * @param base the configured instance URL, with its trailing slash
   * @param timeout for connecting and for the whole answer of one call
   */
  public PagureApiMembers(URI base, Duration timeout) {
    this.base = Objects.requireNonNull(base, "base");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http =
        HttpClient.newBuilder()
            // plain HTTP/1.1, as pagure's git clients speak it (no h2c upgrade attempt)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public Access access(String project) throws LookupException {
    if (!Names.isProjectFullname(project)) {
      throw new LookupException("'" + project + "' is not a project fullname", true, null);
    }
    String path = project.startsWith("forks/") ? "fork/" + project.substring(6) : project;
    JsonNode root = get("api/0/" + path, "project " + project, false);
    return new Access(lists(root, "access_users", project), lists(root, "access_groups", project));
  }

  @Override
  public List<String> groupMembers(String group) throws LookupException {
    if (!Names.isUser(group)) {
      return List.of(); // not a name pagure makes; nobody is a member through it
    }
    JsonNode root = get("api/0/group/" + group, "group " + group, true);
    if (root == null) {
      return List.of();
    }
    JsonNode members = root.path("members");
    if (!members.isArray()) {
      throw new LookupException(
          "pagure's answer for group " + group + " has no members list", false, null);
    }
    return names(members, "group " + group + " members");
  }

  /** The JSON object at {@code path}; null for a 404 when {@code goneIsEmpty}. */
  private JsonNode get(String path, String what, boolean goneIsEmpty) throws LookupException {
    URI uri = base.resolve(path);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("User-Agent", "pagure-ci-aws")
            .GET()
            .build();
    HttpResponse<InputStream> response;
    byte[] body;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        body = in.readNBytes(MAX_BODY_BYTES + 1);
      }
    } catch (HttpTimeoutException e) {
      throw new LookupException(
          "pagure's API did not answer for " + what + " within " + timeout.toSeconds() + " s",
          false,
          e);
    } catch (IOException e) {
      throw new LookupException(
          "pagure's API could not be reached for " + what + ": " + e.getMessage(), false, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LookupException("interrupted while asking pagure's API", false, e);
    }
    int status = response.statusCode();
    if (status == 404 && goneIsEmpty) {
      return null;
    }
    if (status == 401 || status == 403 || status == 404) {
      throw new LookupException(
          "pagure's API answered HTTP "
              + status
              + " for "
              + what
              + " (a private project's access lists need a token, which is not sent)",
          true,
          null);
    }
    if (status != 200) {
      throw new LookupException(
          "pagure's API answered HTTP " + status + " for " + what, false, null);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw new LookupException(
          "pagure's answer for " + what + " is larger than " + MAX_BODY_BYTES + " bytes",
          false,
          null);
    }
    JsonNode root;
    try {
      root = StrictJson.parse(body);
    } catch (Rejection e) {
      throw new LookupException("pagure's answer for " + what + " is not JSON", false, null);
    }
    if (!root.isObject()) {
      throw new LookupException(
          "pagure's answer for " + what + " is not a JSON object", false, null);
    }
    return root;
  }

  /** {@code {"level": ["name", …], …}} as a map; a missing object is an unreadable answer. */
  private static Map<String, List<String>> lists(JsonNode root, String field, String project)
      throws LookupException {
    JsonNode node = root.path(field);
    if (!node.isObject()) {
      throw new LookupException(
          "pagure's answer for project " + project + " has no " + field + " object", false, null);
    }
    Map<String, List<String>> out = new HashMap<>();
    for (Map.Entry<String, JsonNode> level : node.properties()) {
      if (!level.getValue().isArray()) {
        throw new LookupException(
            "pagure's " + field + "." + level.getKey() + " of " + project + " is not a list",
            false,
            null);
      }
      out.put(level.getKey(), names(level.getValue(), field + "." + level.getKey()));
    }
    return out;
  }

  private static List<String> names(JsonNode array, String what) throws LookupException {
    List<String> out = new ArrayList<>(array.size());
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        throw new LookupException("pagure's " + what + " holds a non-name", false, null);
      }
      out.add(n.textValue());
    }
    return out;
  }
}
