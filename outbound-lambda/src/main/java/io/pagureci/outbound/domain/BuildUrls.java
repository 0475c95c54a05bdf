package io.pagureci.outbound.domain;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flag's {@code url}: the build's AWS console page (region- and partition-aware), or a
 * configured template with placeholders {@code {region} {account} {system} {target} {project}
 * {buildId} {buildNumber} {commit} {pagureProject}}; values are percent-encoded (RFC 3986
 * unreserved characters are kept).
 */
public final class BuildUrls {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
  private final String template;

  /**
   * @param template the template, or {@code null} for the console page
   */
  public BuildUrls(String template) {
    this.template = template;
  }

  public String urlFor(BuildRef ref, BuildState state, PagureBuild build) {
    return template == null ? consoleUrl(ref) : fromTemplate(ref, state, build);
  }

  /** The AWS console page of the build. */
  public static String consoleUrl(BuildRef ref) {
    String region = ref.region();
    String base = consoleBase(region);
    String q = "?region=" + encode(region);
    return switch (ref.system()) {
      case CODEBUILD ->
          base
              + "/codesuite/codebuild/"
              + encode(ref.account())
              + "/projects/"
              + encode(ref.target())
              + "/build/"
              + encode(ref.shortId())
              + "/"
              + q;
      case CODEPIPELINE ->
          base
              + "/codesuite/codepipeline/pipelines/"
              + encode(ref.target())
              + "/executions/"
              + encode(ref.id())
              + "/timeline"
              + q;
    };
  }

  static String consoleBase(String region) {
    if (region.startsWith("cn-")) {
      return "https://" + region + ".console.amazonaws.cn";
    }
    if (region.startsWith("us-gov-")) {
      return "https://console.amazonaws-us-gov.com";
    }
    return "https://" + region + ".console.aws.amazon.com";
  }

  private String fromTemplate(BuildRef ref, BuildState state, PagureBuild build) {
    Long number = state == null ? null : state.buildNumber();
    Map<String, String> values =
        Map.of(
            "region", ref.region(),
            "account", ref.account(),
            "system", ref.system().id(),
            "target", ref.target(),
            "project", ref.target(),
            "buildId", ref.shortId(),
            "buildNumber", number == null ? "" : number.toString(),
            "commit", build.commit(),
            "pagureProject", build.project());
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : encode(v)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Percent-encodes everything but RFC 3986 unreserved characters. */
  public static String encode(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
