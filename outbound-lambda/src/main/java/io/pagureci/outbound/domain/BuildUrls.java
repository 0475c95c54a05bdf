package io.pagureci.outbound.domain;

import static io.pagureci.outbound.domain.PercentEncoding.encode;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flag's {@code url}: the build's AWS console page (region- and partition-aware), or a
 * configured template with placeholders {@code {region} {account} {system} {target} {project}
 * {buildId} {buildNumber} {commit} {pagureProject}}; values are percent-encoded ({@link
 * PercentEncoding#encode}).
 */
public final class BuildUrls {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
  private final String template;
  private final PublicProjects publicProjects;

  /**
   * @param template the template, or {@code null} for the console page
   */
  public BuildUrls(String template) {
    this(template, null);
  }

  /**
   * @param template the template, or {@code null}
   * @param publicProjects {@code LOG_ACCESS=public}: CodeBuild builds link to their public build
   *     page when the project has one ({@link #publicUrl}); {@code null} = the console page
   */
  public BuildUrls(String template, PublicProjects publicProjects) {
    this.template = template;
    this.publicProjects = publicProjects;
  }

  public String urlFor(BuildRef ref, BuildState state, PagureBuild build) {
    if (template != null) {
      return fromTemplate(ref, state, build);
    }
    if (publicProjects != null && ref.system() == BuildSystem.CODEBUILD && publicSite(ref)) {
      Optional<String> alias = publicProjects.alias(ref.target());
      if (alias.isPresent()) {
        return publicUrl(ref, alias.get());
      }
    }
    return consoleUrl(ref);
  }

  /** Whether CodeBuild's public build site is known for the build's partition (aws only). */
  static boolean publicSite(BuildRef ref) {
    return !ref.region().startsWith("cn-") && !ref.region().startsWith("us-gov-");
  }

  /**
   * CodeBuild's public build page of {@code ref}: {@code
   * https://<region>.codebuild.aws.amazon.com/project/<publicProjectAlias>/build/<build uuid>}. AWS
   * documents the alias ({@code BatchGetProjects}) and that the page exists ({@code
   * CODEBUILD_PUBLIC_BUILD_URL} inside the build, the console's "Public project URL"), not this
   * form: it is the one CodeBuild's own {@code CODEBUILD_PUBLIC_BUILD_URL} has. The alias keeps its
   * {@code %} escapes; {@code +} and {@code =} are percent-encoded as CodeBuild's URL has them.
   */
  public static String publicUrl(BuildRef ref, String alias) {
    String id = ref.shortId();
    String uuid = id.substring(id.indexOf(':') + 1);
    return "https://"
        + ref.region()
        + ".codebuild.aws.amazon.com/project/"
        + alias.replace("+", "%2B").replace("=", "%3D")
        + "/build/"
        + encode(uuid);
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
}
