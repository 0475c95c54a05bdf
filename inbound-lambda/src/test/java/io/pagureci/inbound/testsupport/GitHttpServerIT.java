package io.pagureci.inbound.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git test server behaves like pagure's git endpoint (shared/fixtures/pagure/git.md). */
class GitHttpServerIT {

  @TempDir static Path dir;
  private static TestRepos repos;
  private static GitHttpServer git;

  @BeforeAll
  static void start() {
    repos = TestRepos.create(dir.resolve("repos"));
    git = GitHttpServer.start(repos.root());
  }

  @AfterAll
  static void stop() {
    git.close();
  }

  @Test
  void advertisesBranchesAndPullRefsOfTheTargetAndServesForksAndNamespaces() throws Exception {
    Map<String, String> demo = lsRemote(TestRepos.TARGET);
    assertThat(demo)
        .containsEntry("refs/heads/master", repos.masterHead())
        .containsEntry("refs/heads/feature-same", repos.sameRepoPrHead())
        .containsEntry("refs/pull/1/head", repos.forkPrHead())
        .containsEntry("refs/pull/2/head", repos.sameRepoPrHead());
    assertThat(lsRemote(TestRepos.FORK)).containsEntry("refs/heads/feature", repos.forkPrHead());
    assertThat(lsRemote(TestRepos.NAMESPACED)).containsKey("refs/heads/master");
    assertThat(git.baseUri().toString()).startsWith("http://127.0.0.1:").endsWith("/");
  }

  @Test
  void unknownRepositoryIsNotFound() {
    assertThatThrownBy(() -> lsRemote("nosuchproject"))
        .isInstanceOf(NoRemoteRepositoryException.class);
    assertThatThrownBy(() -> lsRemote("fork/bob/demo"))
        .isInstanceOf(NoRemoteRepositoryException.class);
  }

  @Test
  void answersProtocolV0EvenWhenTheClientAsksForV2() throws Exception {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create(git.cloneUri(TestRepos.TARGET) + "/info/refs?service=git-upload-pack")
                .toURL()
                .openConnection();
    c.setRequestProperty("Git-Protocol", "version=2");
    String body =
        new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(c.getResponseCode()).isEqualTo(200);
    assertThat(body).contains("# service=git-upload-pack").doesNotContain("version 2");
    assertThat(body)
        .contains("refs/pull/1/head")
        .doesNotContain("allow-reachable-sha1-in-want")
        .doesNotContain("allow-tip-sha1-in-want");
  }

  @Test
  void onlyAdvertisedTipsCanBeFetchedBySha(@TempDir Path local) throws Exception {
    String olderMasterCommit;
    try (Repository repo = repos.open(TestRepos.TARGET);
        RevWalk walk = new RevWalk(repo)) {
      olderMasterCommit = walk.parseCommit(repo.resolve(repos.masterHead())).getParent(0).name();
    }
    try (Git client = Git.init().setBare(true).setDirectory(local.resolve("a").toFile()).call()) {
      Repository repo = client.getRepository();
      assertThatThrownBy(() -> fetchSha(repo, olderMasterCommit))
          .isInstanceOf(TransportException.class); // pagure: "not our ref"; here: 403
      assertThat(repo.getObjectDatabase().has(ObjectId.fromString(olderMasterCommit))).isFalse();
    }
    try (Git client = Git.init().setBare(true).setDirectory(local.resolve("b").toFile()).call()) {
      Repository repo = client.getRepository();
      fetchSha(repo, repos.masterHead());
      assertThat(repo.getObjectDatabase().has(ObjectId.fromString(repos.masterHead()))).isTrue();
    }
  }

  private static void fetchSha(Repository repo, String sha) throws Exception {
    try (Transport t = Transport.open(repo, new URIish(git.cloneUri(TestRepos.TARGET).toURL()));
        FetchConnection c = t.openFetch()) {
      ObjectId id = ObjectId.fromString(sha);
      c.fetch(
          NullProgressMonitor.INSTANCE,
          List.of(new ObjectIdRef.Unpeeled(Ref.Storage.NETWORK, sha, id)),
          Set.of());
    }
  }

  @Test
  void logsRequestsAndInjectsFaults() throws Exception {
    git.clearRequests();
    lsRemote(TestRepos.TARGET);
    assertThat(git.requests()).containsExactly("GET /demo.git/info/refs?service=git-upload-pack");
    assertThat(git.requestCount()).isEqualTo(1);

    git.setFault(GitHttpServer.Fault.HTTP_500);
    try {
      assertThatThrownBy(() -> lsRemote(TestRepos.TARGET)).isInstanceOf(TransportException.class);
    } finally {
      git.setFault(GitHttpServer.Fault.NONE);
    }
    assertThat(lsRemote(TestRepos.TARGET)).containsKey("refs/heads/master");
  }

  @Test
  void refsChangedWhileServingAreSeenAtOnce() throws Exception {
    assertThat(lsRemote(TestRepos.TARGET)).doesNotContainKey("refs/pull/40/head");

    repos.syncPullRef(TestRepos.TARGET, 40, TestRepos.FORK, "feature");
    assertThat(lsRemote(TestRepos.TARGET)).containsEntry("refs/pull/40/head", repos.forkPrHead());

    repos.deleteRef(TestRepos.TARGET, "refs/pull/40/head");
    assertThat(lsRemote(TestRepos.TARGET)).doesNotContainKey("refs/pull/40/head");
  }

  private static Map<String, String> lsRemote(String fullname) throws Exception {
    try {
      Collection<Ref> refs =
          Git.lsRemoteRepository().setRemote(git.cloneUri(fullname).toString()).call();
      java.util.TreeMap<String, String> map = new java.util.TreeMap<>();
      for (Ref r : refs) {
        map.put(r.getName(), r.getObjectId().name());
      }
      return map;
    } catch (org.eclipse.jgit.api.errors.TransportException e) {
      throw (Exception) e.getCause();
    }
  }
}
