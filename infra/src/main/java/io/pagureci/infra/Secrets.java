package io.pagureci.infra;

import java.util.Objects;
import java.util.Optional;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * The stack's secrets, each created (with no value in the template) or imported by its complete
 * ARN: the pagure API token (outbound) and, when there is an open URL, the project web-hook keys
 * and the Basic credentials for ci webhooks (accept function).
 */
final class Secrets extends StackPart {

  /**
   * @param openUrl the accept function has an auth NONE URL (urlAuth hmac or both)
   * @param hookKeysArn import this web-hook keys secret instead of creating one
   */
  record Props(
      boolean openUrl,
      Optional<String> hookKeysArn,
      Optional<String> basicAuthArn,
      Optional<String> pagureTokenArn) {
    Props {
      Objects.requireNonNull(hookKeysArn);
      Objects.requireNonNull(basicAuthArn);
      Objects.requireNonNull(pagureTokenArn);
    }
  }

  private final Optional<ISecret> hookKeys;
  private final Optional<ISecret> basicAuth;
  private final ISecret pagureToken;

  Secrets(Construct scope, String id, Props props) {
    super(scope, id);
    hookKeys =
        props.openUrl()
            ? Optional.of(
                secret(
                    "HookKeysSecret",
                    props.hookKeysArn(),
                    "pagure-ci-aws: pagure project web-hook keys, JSON {\"<project fullname>\": \"<key>\"}",
                    null))
            : Optional.empty();
    basicAuth =
        props.openUrl()
            ? Optional.of(
                secret(
                    "BasicAuthSecret",
                    props.basicAuthArn(),
                    "pagure-ci-aws: Basic credentials for ci webhooks on the open URL, JSON {\"username\", \"password\"}",
                    SecretStringGenerator.builder()
                        .secretStringTemplate("{\"username\":\"pagure-ci\"}")
                        .generateStringKey("password")
                        .excludePunctuation(true)
                        .passwordLength(40)
                        .build()))
            : Optional.empty();
    pagureToken =
        secret(
            "PagureTokenSecret",
            props.pagureTokenArn(),
            "pagure-ci-aws: pagure API token (ACLs commit_flag / pull_request_flag), the token or {\"token\": ...}",
            null);
  }

  private ISecret secret(
      String id, Optional<String> importArn, String description, SecretStringGenerator generate) {
    if (importArn.isPresent()) {
      return Secret.fromSecretCompleteArn(this, id, importArn.get());
    }
    // No value in the template: Secrets Manager generates a random placeholder (or, for the Basic
    // credentials, a usable random password); docs/deploy.md shows put-secret-value.
    Secret.Builder b = Secret.Builder.create(this, id).description(description);
    if (generate != null) {
      b.generateSecretString(generate);
    }
    Secret s = b.build();
    NagSuppressionsPlan.of(this).secretRotation(s);
    return s;
  }

  /** HOOK_KEYS_SECRET_ID, when there is an open URL. */
  Optional<ISecret> hookKeys() {
    return hookKeys;
  }

  /** CI_BASIC_AUTH_SECRET_ID, when there is an open URL. */
  Optional<ISecret> basicAuth() {
    return basicAuth;
  }

  /** PAGURE_TOKEN_SECRET_ID. */
  ISecret pagureToken() {
    return pagureToken;
  }
}
