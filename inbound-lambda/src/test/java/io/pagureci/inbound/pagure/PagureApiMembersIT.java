package io.pagureci.inbound.pagure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.pagureci.inbound.domain.PagureFixtures;
import io.pagureci.inbound.domain.ProjectMembers;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pagure API adapter against WireMock as pagure. The project answers are pagure's own: the
 * {@code Project.to_json(public=True)} object that {@code GET /api/0/<repo>} returns
 * (pagure/api/project.py {@code api_project}) is the very object a real pagure 5.14 put into {@code
 * msg.pullrequest.project} of testdata/pagure/webhooks/pull-request.new-1 (demo, owner alice, every
 * other list empty, {@code collaborator} included). The group answer follows {@code
 * api_view_group}'s documented sample (pagure/api/group.py: {@code creator}, {@code members},
 * {@code name}, …).
 */
class PagureApiMembersIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static WireMockServer pagure;
  private PagureApiMembers members;

  @BeforeAll
  static void start() {
    pagure = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    pagure.start();
  }

  @AfterAll
  static void stop() {
    pagure.stop();
  }

  @BeforeEach
  void reset() {
    pagure.resetAll();
    members = new PagureApiMembers(URI.create(pagure.baseUrl() + "/"), Duration.ofSeconds(10));
  }

  /** The demo project as the real capture holds it. */
  static ObjectNode realDemoProject() throws Exception {
    return (ObjectNode)
        JSON.readTree(PagureFixtures.webhook("pull-request.new-1").body())
            .path("msg")
            .path("pullrequest")
            .path("project");
  }

  static String group(String name, String... users) {
    ObjectNode g = JSON.createObjectNode();
    g.putObject("creator").put("name", "alice").put("fullname", "Alice Owner");
    g.put("date_created", "1492011511")
        .put("description", "Some Group")
        .put("display_name", "Some Group")
        .put("group_type", "user")
        .put("name", name);
    com.fasterxml.jackson.databind.node.ArrayNode list = g.putArray("members");
    for (String u : users) {
      list.add(u);
    }
    return g.toString();
  }

  private static void answer(String path, int status, String body) {
    pagure.stubFor(
        get(urlEqualTo(path))
            .willReturn(
                aResponse()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody(body)));
  }

  @Test
  void readsTheRealProjectJsonWithoutSendingAToken() throws Exception {
    answer("/api/0/demo", 200, realDemoProject().toString());

    ProjectMembers.Access access = members.access("demo");

    assertThat(access.users())
        .containsEntry("owner", List.of("alice"))
        .containsEntry("admin", List.of())
        .containsEntry("commit", List.of())
        .containsEntry("collaborator", List.of())
        .containsEntry("ticket", List.of());
    assertThat(access.groups()).containsEntry("commit", List.of()).containsKey("collaborator");
    pagure.verify(
        getRequestedFor(urlEqualTo("/api/0/demo"))
            .withHeader("Authorization", absent())
            .withHeader(
                "Accept",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo("application/json")));
  }

  @Test
  void namespacedProjectsAndForksUsePagureApiPaths() throws Exception {
    ObjectNode project = realDemoProject();
    answer("/api/0/rpms/widget", 200, project.toString());
    answer("/api/0/fork/bob/demo", 200, project.toString());

    members.access("rpms/widget");
    members.access("forks/bob/demo");

    pagure.verify(getRequestedFor(urlEqualTo("/api/0/rpms/widget")));
    pagure.verify(getRequestedFor(urlEqualTo("/api/0/fork/bob/demo")));
  }

  @Test
  void readsAGroupsMembers() throws Exception {
    answer("/api/0/group/demo-devs", 200, group("demo-devs", "bob", "carol"));

    assertThat(members.groupMembers("demo-devs")).containsExactly("bob", "carol");
  }

  @Test
  void aGroupThatIsGoneHasNoMembersAndANameThatIsNoNameIsNeverAsked() throws Exception {
    answer(
        "/api/0/group/gone", 404, "{\"error\": \"Group not found\", \"error_code\": \"ENOGROUP\"}");

    assertThat(members.groupMembers("gone")).isEmpty();
    assertThat(members.groupMembers("../admin")).isEmpty();
    assertThat(pagure.getAllServeEvents()).hasSize(1);
  }

  @Test
  void aServerErrorATimeoutADroppedConnectionOrGarbageIsTransient() throws Exception {
    answer("/api/0/demo", 500, "{\"error\": \"boom\"}");
    assertTransient(() -> members.access("demo"), "HTTP 500");

    pagure.stubFor(
        get(urlEqualTo("/api/0/demo"))
            .willReturn(aResponse().withFixedDelay(3000).withStatus(200).withBody("{}")));
    PagureApiMembers impatient =
        new PagureApiMembers(URI.create(pagure.baseUrl() + "/"), Duration.ofSeconds(1));
    assertTransient(() -> impatient.access("demo"), "did not answer for project demo within 1 s");

    pagure.stubFor(
        get(urlEqualTo("/api/0/demo"))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    assertTransient(() -> members.access("demo"), "could not be reached");

    answer("/api/0/demo", 200, "<html>pagure is down for maintenance</html>");
    assertTransient(() -> members.access("demo"), "is not JSON");

    answer("/api/0/demo", 200, "[]");
    assertTransient(() -> members.access("demo"), "is not a JSON object");

    ObjectNode noUsers = realDemoProject();
    noUsers.remove("access_users");
    answer("/api/0/demo", 200, noUsers.toString());
    assertTransient(() -> members.access("demo"), "has no access_users object");

    ObjectNode badList = realDemoProject();
    ((ObjectNode) badList.path("access_users")).putArray("commit").add(7);
    answer("/api/0/demo", 200, badList.toString());
    assertTransient(() -> members.access("demo"), "holds a non-name");

    answer("/api/0/group/demo-devs", 503, "");
    assertTransient(() -> members.groupMembers("demo-devs"), "HTTP 503");
    answer("/api/0/group/demo-devs", 200, "{\"name\": \"demo-devs\"}");
    assertTransient(() -> members.groupMembers("demo-devs"), "has no members list");
  }

  @Test
  void aProjectPagureWillNotShowIsPermanent() {
    for (int status : new int[] {401, 403, 404}) {
      answer(
          "/api/0/demo",
          status,
          "{\"error\": \"Project not found\", \"error_code\": \"ENOPROJECT\"}");
      assertThatThrownBy(() -> members.access("demo"))
          .isInstanceOfSatisfying(
              ProjectMembers.LookupException.class, e -> assertThat(e.permanent()).isTrue())
          .hasMessageContaining("HTTP " + status)
          .hasMessageContaining("token");
    }
  }

  @Test
  void anAnswerOverTheSizeCapIsRefused() {
    answer("/api/0/demo", 200, "{\"x\": \"" + "a".repeat(PagureApiMembers.MAX_BODY_BYTES) + "\"}");
    assertTransient(() -> members.access("demo"), "larger than");
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static void assertTransient(Call call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            ProjectMembers.LookupException.class, e -> assertThat(e.permanent()).isFalse())
        .hasMessageContaining(message);
  }
}
