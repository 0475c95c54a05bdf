package io.pagureci.outbound.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pagureci.outbound.domain.Flag;
import io.pagureci.outbound.domain.FlagStatus;
import io.pagureci.outbound.domain.PercentEncoding;
import io.pagureci.outbound.testing.Fixtures;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FormEncodingTest {
  private static Map<String, String> decode(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return fields;
  }

  /** Re-encoding the fields of a real capture gives pagure's client's exact bytes. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "commit_flag_pr_head_form",
        "commit_flag_master_sha",
        "commit_flag_unknown_full_sha",
        "pr_flag_pending_with_uid_form",
        "pr_flag_success_same_uid_form",
        "pr_flag_uid_32_chars",
        "pr_flag_status_canceled",
        "pr_flag_status_error",
        "pr_flag_invalid_url"
      })
  void encodesLikePagureClientsDo(String capture) {
    JsonNode request = Fixtures.flag("flags/" + capture, "request.json");
    assertThat(request.path("body_encoding").asText()).isEqualTo("form");
    String body = request.path("body").asText();

    assertThat(FormEncoding.encode(decode(body))).isEqualTo(body);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pr_flag_pending_with_uid_form", "pr_flag_success_same_uid_form"})
  void sendsTheFlagFieldsInPagureOrder(String capture) {
    Map<String, String> fields =
        decode(Fixtures.flag("flags/" + capture, "request.json").path("body").asText());
    Integer percent = fields.containsKey("percent") ? Integer.valueOf(fields.get("percent")) : null;
    Flag flag =
        new Flag(
            fields.get("username"),
            fields.get("comment"),
            fields.get("url"),
            FlagStatus.valueOf(fields.get("status").toUpperCase(java.util.Locale.ROOT)),
            percent,
            fields.get("uid"));

    assertThat(PagureFlagApi.fields(flag)).containsExactlyEntriesOf(fields);
  }

  @org.junit.jupiter.api.Test
  void encodesUnicodeAndReservedCharactersLikePython() {
    assertThat(PercentEncoding.formEncode("CodeBuild é #42: a/b~c*d+e"))
        .isEqualTo("CodeBuild+%C3%A9+%2342%3A+a%2Fb~c%2Ad%2Be");
  }
}
