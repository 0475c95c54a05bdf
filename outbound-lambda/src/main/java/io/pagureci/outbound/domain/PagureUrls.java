package io.pagureci.outbound.domain;

/**
 * pagure's own URLs for a project (pagure/ui routes): {@code <name>}, {@code <ns>/<name>}, a fork
 * {@code forks/<user>/[<ns>/]<name>} is addressed as {@code fork/<user>/[<ns>/]<name>}; each part
 * percent-encoded.
 */
public final class PagureUrls {
  private PagureUrls() {}

  /**
   * The project's path as pagure's web UI and API address it ({@code rpms/widget}, {@code
   * fork/bob/demo}).
   */
  public static String projectPath(String fullname) {
    String[] parts = fullname.split("/");
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        s.append('/');
      }
      s.append(
          i == 0 && parts.length >= 3 && parts[0].equals("forks")
              ? "fork"
              : PercentEncoding.encode(parts[i]));
    }
    return s.toString();
  }

  /**
   * Where a PR author looks before a build exists: the pull request's page ({@code
   * <instance><project>/pull-request/<id>}) or, for a push, the commit's page ({@code
   * <instance><project>/c/<sha>}).
   */
  public static String page(PagureBuild build) {
    String project = build.instance() + projectPath(build.project());
    return build.prId() != null
        ? project + "/pull-request/" + build.prId()
        : project + "/c/" + build.commit();
  }
}
