package io.pagureci.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The secrets: created without a value, or imported; the inbound ones only with an open URL. */
class SecretsTest {

  private static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf";

  @Test
  void withoutAnOpenUrlOnlyThePagureTokenExistsAndHasNoValueInTheTemplate() {
    Stack stack = new Stack(new App(), "Test");
    Secrets s =
        new Secrets(
            stack,
            "Secrets",
            new Secrets.Props(false, Optional.empty(), Optional.empty(), Optional.empty()));
    Template t = Template.fromStack(stack);
    t.resourceCountIs("AWS::SecretsManager::Secret", 1);
    t.hasResourceProperties(
        "AWS::SecretsManager::Secret", Match.objectLike(Map.of("SecretString", Match.absent())));
    assertThat(s.hookKeys()).isEmpty();
    assertThat(s.basicAuth()).isEmpty();
  }

  @Test
  void anOpenUrlAddsTheHookKeysAndAGeneratedBasicPassword() {
    Stack stack = new Stack(new App(), "Test");
    Secrets s =
        new Secrets(
            stack,
            "Secrets",
            new Secrets.Props(true, Optional.empty(), Optional.empty(), Optional.empty()));
    Template t = Template.fromStack(stack);
    t.resourceCountIs("AWS::SecretsManager::Secret", 3);
    t.hasResourceProperties(
        "AWS::SecretsManager::Secret",
        Match.objectLike(
            Map.of(
                "GenerateSecretString",
                Match.objectLike(
                    Map.of(
                        "GenerateStringKey",
                        "password",
                        "SecretStringTemplate",
                        "{\"username\":\"pagure-ci\"}")))));
    assertThat(s.hookKeys()).isPresent();
    assertThat(s.basicAuth()).isPresent();
  }

  @Test
  void importedSecretsCreateNothing() {
    Stack stack = new Stack(new App(), "Test");
    Secrets s =
        new Secrets(
            stack,
            "Secrets",
            new Secrets.Props(true, Optional.of(ARN), Optional.of(ARN), Optional.of(ARN)));
    Template.fromStack(stack).resourceCountIs("AWS::SecretsManager::Secret", 0);
    assertThat(s.pagureToken().getSecretArn()).isEqualTo(ARN);
  }
}
