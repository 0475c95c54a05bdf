package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Function URL auth per mode, the secrets each mode needs, and the caller variants. */
class UrlModesTest {

  @Test
  void hmacModeHasOneOpenUrlAndTheSecretsTheFunctionChecksAgainst() {
    PagureCiStack stack = TestStacks.stack(Map.of("urlAuth", "hmac"));
    Template t = TestStacks.template(stack);
    Object alias = stack.resolve(stack.aliases().get("hmac").getFunctionArn());

    t.resourceCountIs("AWS::Lambda::Url", 1);
    t.hasResourceProperties(
        "AWS::Lambda::Url", Match.objectLike(Map.of("AuthType", "NONE", "Qualifier", "hmac")));
    // auth NONE needs both public permissions, scoped to the URL
    t.hasResourceProperties(
        "AWS::Lambda::Permission",
        Map.of(
            "Action",
            "lambda:InvokeFunctionUrl",
            "Principal",
            "*",
            "FunctionName",
            alias,
            "FunctionUrlAuthType",
            "NONE"));
    t.hasResourceProperties(
        "AWS::Lambda::Permission",
        Map.of(
            "Action",
            "lambda:InvokeFunction",
            "Principal",
            "*",
            "FunctionName",
            alias,
            "InvokedViaFunctionUrl",
            true));
    // no IAM caller in this mode
    t.resourceCountIs("AWS::IAM::User", 0);
    assertThat(stack.callerPrincipal()).isEmpty();
    // web-hook keys + Basic credentials (generated, never in the template) + the pagure token
    t.resourceCountIs("AWS::SecretsManager::Secret", 3);
    t.hasResourceProperties(
        "AWS::SecretsManager::Secret",
        Match.objectLike(
            Map.of(
                "GenerateSecretString",
                Match.objectLike(
                    Map.of(
                        "SecretStringTemplate",
                        "{\"username\":\"pagure-ci\"}",
                        "GenerateStringKey",
                        "password")))));
    // the inbound function reads exactly its two secrets, the outbound one only the token
    Policies.assertAllows(
        t,
        stack,
        stack.inboundRole(),
        Map.of(
            "Sid",
            "ReadInboundSecrets",
            "Effect",
            "Allow",
            "Action",
            "secretsmanager:GetSecretValue",
            "Resource",
            List.of(
                stack.resolve(stack.hookKeysSecret().orElseThrow().getSecretArn()),
                stack.resolve(stack.basicAuthSecret().orElseThrow().getSecretArn()))));
    assertThat(stack.inboundEnvironment())
        .containsKeys("HOOK_KEYS_SECRET_ID", "CI_BASIC_AUTH_SECRET_ID")
        .doesNotContainKey("CI_ALLOWED_CALLERS");
    t.hasOutput("FunctionUrlHmac", Match.anyValue());
    t.hasOutput("HookKeysSecretArn", Match.anyValue());
    t.hasOutput("BasicAuthSecretArn", Match.anyValue());
  }

  @Test
  void bothModeServesTwoAliasesOneUrlEachAndGrantsTheCallerOnlyTheIamOne() {
    PagureCiStack stack = TestStacks.stack(Map.of("urlAuth", "both", "caller", "role"));
    Template t = TestStacks.template(stack);
    Object iamAlias = stack.resolve(stack.aliases().get("iam").getFunctionArn());

    t.resourceCountIs("AWS::Lambda::Url", 2);
    t.resourceCountIs("AWS::Lambda::Alias", 3); // iam, hmac and the worker's live alias
    t.hasResourceProperties(
        "AWS::Lambda::Url", Match.objectLike(Map.of("AuthType", "AWS_IAM", "Qualifier", "iam")));
    t.hasResourceProperties(
        "AWS::Lambda::Url", Match.objectLike(Map.of("AuthType", "NONE", "Qualifier", "hmac")));
    // the caller role: trusted by this account, allowed to call the iam alias's URL and nothing
    // else
    Object trust =
        Match.objectLike(
            Map.of(
                "Action",
                "sts:AssumeRole",
                "Principal",
                Map.of("AWS", Match.objectLike(Map.of("Fn::Join", Match.anyValue())))));
    t.hasResourceProperties(
        "AWS::IAM::Role",
        Match.objectLike(
            Map.of(
                "AssumeRolePolicyDocument", Match.objectLike(Map.of("Statement", List.of(trust))),
                "Description", Match.stringLikeRegexp(".*function URL.*"))));
    t.hasResourceProperties(
        "AWS::IAM::Policy",
        Map.of(
            "Roles",
                List.of(
                    stack.resolve(
                        ((software.amazon.awscdk.services.iam.Role)
                                stack.callerPrincipal().orElseThrow())
                            .getRoleName())),
            "PolicyName", Match.anyValue(),
            "PolicyDocument",
                Map.of(
                    "Version",
                    "2012-10-17",
                    "Statement",
                    List.of(
                        Match.objectLike(
                            Map.of("Action", "lambda:InvokeFunctionUrl", "Resource", iamAlias)),
                        Match.objectLike(
                            Map.of(
                                "Action",
                                "lambda:InvokeFunction",
                                "Resource",
                                iamAlias,
                                "Condition",
                                Map.of("Bool", Map.of("lambda:InvokedViaFunctionUrl", true))))))));
    t.hasOutput("FunctionUrlIam", Match.anyValue());
    t.hasOutput("FunctionUrlHmac", Match.anyValue());
  }

  @Test
  void anExistingCallerIsGrantedThroughTheFunctionsResourcePolicy() {
    String arn = "arn:aws:iam::123456789012:user/pagure-relay";
    PagureCiStack stack =
        TestStacks.stack(Map.of("callerPrincipalArn", arn, "ciAllowedCallers", arn));
    Template t = TestStacks.template(stack);
    Object alias = stack.resolve(stack.aliases().get("iam").getFunctionArn());

    t.resourceCountIs("AWS::IAM::User", 0);
    t.hasResourceProperties(
        "AWS::Lambda::Permission",
        Map.of(
            "Action",
            "lambda:InvokeFunctionUrl",
            "Principal",
            arn,
            "FunctionName",
            alias,
            "FunctionUrlAuthType",
            "AWS_IAM"));
    t.hasResourceProperties(
        "AWS::Lambda::Permission",
        Map.of(
            "Action",
            "lambda:InvokeFunction",
            "Principal",
            arn,
            "FunctionName",
            alias,
            "InvokedViaFunctionUrl",
            true));
    assertThat(stack.inboundEnvironment()).containsEntry("CI_ALLOWED_CALLERS", arn);
  }

  @Test
  void theDefaultCallerUserIsTheOnlyAllowedCaller() {
    PagureCiStack stack = TestStacks.stack(Map.of());
    assertThat(stack.resolve(stack.inboundEnvironment().get("CI_ALLOWED_CALLERS")))
        .isEqualTo(
            Map.of(
                "Fn::GetAtt",
                List.of(
                    stack.logicalId(
                        (software.constructs.Construct) stack.callerPrincipal().orElseThrow()),
                    "Arn")));
  }

  @Test
  void snapStartCanBeSwitchedOffForALargerWorkerTmp() {
    PagureCiStack stack =
        TestStacks.stack(Map.of("snapStart", "false", "inboundReservedConcurrency", "0"));
    Template t = TestStacks.template(stack);
    t.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(
            Map.of(
                "Handler", PagureCiStack.INBOUND_HANDLER,
                "EphemeralStorage", Match.absent(),
                "SnapStart", Match.absent(),
                "ReservedConcurrentExecutions", Match.absent())));
    t.hasResourceProperties(
        "AWS::Lambda::Function",
        Match.objectLike(
            Map.of(
                "Handler", BuildWorker.HANDLER,
                "EphemeralStorage", Map.of("Size", 2048),
                "SnapStart", Match.absent())));
    // still one alias + URL on the accept function's published version, and the worker's alias
    t.resourceCountIs("AWS::Lambda::Version", 2);
    t.resourceCountIs("AWS::Lambda::Url", 1);
    t.hasResourceProperties(
        "AWS::Lambda::EventSourceMapping",
        Match.objectLike(
            Map.of(
                "FunctionName",
                BuildWorkerTest.qualifiedName(
                    stack.resolve(stack.buildWorker().alias().getFunctionArn())))));
  }

  @Test
  void alarmsNotifyAnEmailTopicThatOnlyAcceptsSsl() {
    PagureCiStack stack = TestStacks.stack(Map.of("alarmEmail", "ci-admin@example.org"));
    Template t = TestStacks.template(stack);
    t.hasResourceProperties(
        "AWS::SNS::Subscription",
        Match.objectLike(Map.of("Protocol", "email", "Endpoint", "ci-admin@example.org")));
    t.hasResourceProperties(
        "AWS::SNS::TopicPolicy",
        Match.objectLike(
            Map.of(
                "PolicyDocument",
                Match.objectLike(
                    Map.of(
                        "Statement",
                        Match.arrayWith(
                            List.of(
                                Match.objectLike(
                                    Map.of(
                                        "Effect",
                                        "Deny",
                                        "Condition",
                                        Map.of(
                                            "Bool",
                                            Map.of("aws:SecureTransport", "false")))))))))));
    assertThat(
            t.findResources(
                "AWS::CloudWatch::Alarm",
                Match.objectLike(
                    Map.of(
                        "Properties",
                        Match.objectLike(
                            Map.of("AlarmActions", List.of(Map.of("Ref", Match.anyValue()))))))))
        .hasSize(6);
  }
}
