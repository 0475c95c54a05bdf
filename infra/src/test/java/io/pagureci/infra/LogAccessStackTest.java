package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * {@code logAccess}: each option gets exactly the permissions it needs and no more — {@code
 * public}: the created project's public build results with a resource access role that may read its
 * log group only, and {@code codebuild:BatchGetProjects} for outbound; {@code comment}: {@code
 * logs:GetLogEvents} on the build log group and the ledger writes pinned to {@code logcomment/*}
 * keys. cdk-nag stays clean.
 */
class LogAccessStackTest {

  @Test
  void theDefaultConsoleLinkGrantsNothingNewAndKeepsTheProjectPrivate() {
    PagureCiStack stack = TestStacks.stack(Map.of());
    Template t = TestStacks.template(stack);
    String outbound = Policies.of(t, stack, stack.outboundRole());

    assertThat(outbound)
        .doesNotContain("logs:GetLogEvents")
        .doesNotContain("codebuild:BatchGetProjects")
        .doesNotContain("dynamodb:PutItem");
    assertThat(t.findResources("AWS::CodeBuild::Project").toString())
        .doesNotContain("PUBLIC_READ")
        .doesNotContain("ResourceAccessRole");
    assertThat(stack.outboundEnvironment())
        .containsEntry("LOG_ACCESS", "console")
        .containsEntry("LOG_TAIL_LINES", "50");
  }

  @Test
  void publicMakesTheCreatedProjectsResultsPublicThroughARoleThatReadsOnlyItsLogs() {
    PagureCiStack stack = TestStacks.stack(Map.of("logAccess", "public"));
    Template t = TestStacks.template(stack);
    Object logGroupArn = stack.resolve(stack.buildLogGroup().orElseThrow().getLogGroupArn());

    t.hasResourceProperties(
        "AWS::CodeBuild::Project",
        Match.objectLike(
            Map.of(
                "Visibility",
                "PUBLIC_READ",
                "ResourceAccessRole",
                Map.of(
                    "Fn::GetAtt", List.of(Match.stringLikeRegexp("PublicBuildsRole.*"), "Arn")))));
    t.hasResourceProperties(
        "AWS::IAM::Role",
        Match.objectLike(
            Map.of(
                "AssumeRolePolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        List.of(
                            Match.objectLike(
                                Map.of(
                                    "Principal", Map.of("Service", "codebuild.amazonaws.com")))))),
                "Description",
                Match.stringLikeRegexp(".*public build pages.*"))));
    t.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "Roles",
            List.of(Map.of("Ref", Match.stringLikeRegexp(".*PublicBuildsRole.*"))),
            "PolicyName",
            Match.anyValue(),
            "PolicyDocument",
            Map.of(
                "Version",
                "2012-10-17",
                "Statement",
                List.of(
                    Map.of(
                        "Sid",
                        "ReadOwnBuildLogs",
                        "Effect",
                        "Allow",
                        "Action",
                        "logs:GetLogEvents",
                        "Resource",
                        logGroupArn)))));
    Policies.assertAllows(
        t,
        stack,
        stack.outboundRole(),
        Policies.statement(
            "codebuild:BatchGetProjects", stack.resolve(stack.project().getProjectArn())));
    assertThat(Policies.of(t, stack, stack.outboundRole()))
        .doesNotContain("logs:GetLogEvents")
        .doesNotContain("dynamodb:PutItem");
    assertThat(stack.outboundEnvironment()).containsEntry("LOG_ACCESS", "public");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void commentLetsOutboundReadTheBuildLogGroupAndWriteOnlyLedgerItems() {
    PagureCiStack stack = TestStacks.stack(Map.of("logAccess", "comment", "logTailLines", "80"));
    Template t = TestStacks.template(stack);
    Object logGroupArn = stack.resolve(stack.buildLogGroup().orElseThrow().getLogGroupArn());
    Object table = stack.resolve(stack.buildRecords().table().getTableArn());

    Policies.assertAllows(
        t,
        stack,
        stack.outboundRole(),
        Map.of(
            "Sid",
            "ReadBuildLogs",
            "Effect",
            "Allow",
            "Action",
            "logs:GetLogEvents",
            "Resource",
            logGroupArn),
        Map.of(
            "Sid",
            "WriteLogCommentLedger",
            "Effect",
            "Allow",
            "Action",
            List.of("dynamodb:PutItem", "dynamodb:UpdateItem"),
            "Resource",
            table,
            "Condition",
            Map.of(
                "ForAllValues:StringLike",
                Map.of("dynamodb:LeadingKeys", List.of("logcomment/*")))));
    String outbound = Policies.of(t, stack, stack.outboundRole());
    assertThat(outbound).doesNotContain("codebuild:BatchGetProjects");
    assertThat(t.findResources("AWS::CodeBuild::Project").toString()).doesNotContain("PUBLIC_READ");
    assertThat(stack.outboundEnvironment())
        .containsEntry("LOG_ACCESS", "console,comment")
        .containsEntry("LOG_TAIL_LINES", "80");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @Test
  void publicWithCommentGetsBothAndIsNagClean() {
    PagureCiStack stack = TestStacks.stack(Map.of("logAccess", "Comment, PUBLIC"));
    String outbound = Policies.of(TestStacks.template(stack), stack, stack.outboundRole());
    assertThat(outbound)
        .contains("logs:GetLogEvents")
        .contains("codebuild:BatchGetProjects")
        .contains("logcomment/*");
    assertThat(stack.outboundEnvironment()).containsEntry("LOG_ACCESS", "public,comment");
    assertThat(TestStacks.nagFindings(stack)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "logAccess=public,existingProjectName=legacy|needs the project the stack creates",
        "logAccess=comment,existingProjectName=legacy|needs the project the stack creates",
        "logAccess=public,buildTarget=codepipeline|works with buildTarget=codebuild only",
        "logAccess=comment,buildTarget=codepipeline|works with buildTarget=codebuild only",
        "logAccess=public,buildUrlTemplate=https://ci.example.org/{buildId}|both name the flag's link",
        "logAccess=comment,reporter=ci-webhook|reporter=ci-webhook has none",
        "logAccess=console;public|names two link kinds",
        "logAccess=comments|unknown item 'comments'",
        "logTailLines=501|logTailLines"
      })
  void refusesWhatTheStackCannotGrant(String context, String message) {
    Map<String, String> ctx = new java.util.HashMap<>();
    for (String kv : context.split(",")) {
      String[] p = kv.split("=", 2);
      ctx.put(p[0], p[1].replace(';', ','));
    }
    assertThatThrownBy(() -> TestStacks.stack(ctx)).hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "console",
        "public",
        "comment",
        "public,comment",
        " Comment , console ",
        "console,public",
        "comment,comment",
        "all",
        "public,"
      })
  void theStackAndTheOutboundFunctionReadLogAccessAlike(String value) {
    String outbound;
    try {
      outbound = io.pagureci.outbound.domain.LogAccess.parse(value, 50).wire();
    } catch (IllegalArgumentException e) {
      outbound = "refused";
    }
    String infra;
    try {
      infra = Settings.logAccessWire(value);
    } catch (Settings.SettingsException e) {
      infra = "refused";
    }
    assertThat(infra).isEqualTo(outbound);
  }
}
