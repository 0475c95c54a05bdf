package io.pagureci.infra;

import io.pagureci.pagure.ProjectName;
import io.pagureci.pagure.routing.NameGlobs;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the stack can prove about a routing rule's globs ({@link NameGlobs} semantics) over the
 * names pagure-model's {@link ProjectName#isValid} accepts:
 *
 * <ul>
 *   <li>{@link #witness(String, List)}: a valid project fullname the glob matches and none of the
 *       {@code earlier} globs match. No such name with {@code earlier} empty: no project can match
 *       the glob; none with earlier rules' globs: the glob is shadowed (every project it matches is
 *       decided by an earlier rule).
 *   <li>{@link #s3KeyPattern(String)}: the S3 key pattern (after the source prefix) covering every
 *       source zip of the projects a glob matches.
 * </ul>
 *
 * <p>The search is exact for globs made of name characters, {@code /}, {@code *}, {@code **} and
 * {@code ?}: it walks the product of the globs' automata with an automaton of the fullname rule
 * (parts of {@code [A-Za-z0-9_][A-Za-z0-9_.+-]*} not ending in {@code .git}, 1-2 parts, or {@code
 * forks/<user>/} and 1-2 parts, no first part {@code tickets} / {@code requests}), breadth first,
 * so the first name found is a shortest one; that name is then checked with the real {@link
 * ProjectName#isValid} and {@link NameGlobs#matches}. The automaton leaves out one part of the
 * rule, a part's 255-character limit: when the shortest name breaks it the answer is {@link
 * Result#unknown()} (as it is for globs with {@code [...]}, <code>{...}</code> or {@code \}, which
 * are not analysed), and an unknown answer never stops a synth.
 */
final class RouteGlobs {

  /** The outcome of a search: a witness name, none (proven), or not known. */
  record Result(Optional<String> witness, boolean proven) {
    static Result none() {
      return new Result(Optional.empty(), true);
    }

    static Result unknown() {
      return new Result(Optional.empty(), false);
    }

    static Result of(String name) {
      return new Result(Optional.of(name), true);
    }

    /** Proven: no valid name qualifies. */
    boolean provenEmpty() {
      return proven && witness.isEmpty();
    }
  }

  private static final String NAME_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-";
  private static final char[] ALPHABET = (NAME_CHARS + "/").toCharArray();
  private static final int MAX_STATES = 200_000;

  private RouteGlobs() {}

  /** Whether the glob uses only what the analysis understands. */
  static boolean analysable(String glob) {
    return glob.chars().noneMatch(c -> c == '[' || c == ']' || c == '{' || c == '}' || c == '\\');
  }

  /**
   * A shortest valid project fullname that {@code glob} matches and no glob of {@code earlier}
   * matches.
   */
  static Result witness(String glob, List<String> earlier) {
    if (!analysable(glob)) {
      return Result.unknown();
    }
    // an earlier glob the analysis does not understand can only be used when it is not needed
    List<Nfa> others = new ArrayList<>();
    boolean skipped = false;
    for (String e : earlier) {
      if (analysable(e)) {
        others.add(new Nfa(e));
      } else {
        skipped = true;
      }
    }
    Optional<String> found;
    try {
      found = search(new Nfa(glob), others);
    } catch (TooLarge e) {
      return Result.unknown();
    }
    if (found.isEmpty()) {
      // nothing escapes the analysable earlier globs: the skipped ones could only cover more
      return Result.none();
    }
    String name = found.get();
    if (ProjectName.isValid(name)
        && NameGlobs.of(List.of(glob)).matches(name)
        && !NameGlobs.of(earlier).matches(name)) {
      return Result.of(name);
    }
    // a part over 255 characters, or a skipped earlier glob matching it
    return Result.unknown();
  }

  /**
   * The S3 key pattern, after the source prefix, of every zip ({@code <project>/<scope>/<sha>.zip})
   * of a project {@code glob} matches: each run of {@code *} becomes S3's {@code *} (which also
   * crosses {@code /}, so {@code *} alone widens to every key), {@code ?} stays {@code ?} (which
   * also matches {@code /}), and a glob with {@code [...]}, <code>{...}</code> or {@code \} is cut
   * before that character and ends in {@code *}; then {@code /*} for the zips under the project.
   */
  static String s3KeyPattern(String glob) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '[' || c == '{' || c == '\\' || c == ']' || c == '}') {
        if (b.isEmpty() || b.charAt(b.length() - 1) != '*') {
          b.append('*');
        }
        return b.toString();
      }
      if (c == '*') {
        if (b.isEmpty() || b.charAt(b.length() - 1) != '*') {
          b.append('*');
        }
      } else {
        b.append(c);
      }
    }
    return b.append("/*").toString();
  }

  /** The search met more states than {@code MAX_STATES}. */
  private static final class TooLarge extends RuntimeException {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** A glob as tokens: a literal character, {@code ?}, {@code *} (one segment), {@code **}. */
  private static final class Nfa {
    static final int ONE = -1;
    static final int STAR = -2;
    static final int ANY = -3;
    final int[] tokens;

    Nfa(String glob) {
      List<Integer> t = new ArrayList<>();
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        if (c == '*') {
          int j = i;
          while (j < glob.length() && glob.charAt(j) == '*') {
            j++;
          }
          t.add(j - i >= 2 ? ANY : STAR);
          i = j - 1;
        } else if (c == '?') {
          t.add(ONE);
        } else {
          t.add((int) c);
        }
      }
      tokens = t.stream().mapToInt(Integer::intValue).toArray();
    }

    int size() {
      return tokens.length + 1;
    }

    BitSet start() {
      BitSet s = new BitSet();
      s.set(0);
      return close(s);
    }

    BitSet close(BitSet s) {
      BitSet out = (BitSet) s.clone();
      for (int i = 0; i < tokens.length; i++) {
        if (out.get(i) && (tokens[i] == STAR || tokens[i] == ANY)) {
          out.set(i + 1);
        }
      }
      return out;
    }

    BitSet step(BitSet s, char c) {
      BitSet next = new BitSet();
      for (int i = s.nextSetBit(0); i >= 0 && i < tokens.length; i = s.nextSetBit(i + 1)) {
        int t = tokens[i];
        if (t == ANY || (t == STAR && c != '/')) {
          next.set(i);
        } else if ((t == ONE && c != '/') || t == c) {
          next.set(i + 1);
        }
      }
      return close(next);
    }

    boolean accepts(BitSet s) {
      return s.get(tokens.length);
    }
  }

  /**
   * The fullname rule as an automaton (without the 255-character part limit): parts done, whether
   * the current part has a character, how much of {@code .git} ends it, the first part while it is
   * still a prefix of a special word ({@code null} once it is not), and whether it was {@code
   * forks}.
   */
  private record Name(
      int partsDone, boolean nonEmpty, int gitSuffix, String firstWord, boolean fork) {
    static final Set<String> WORDS = Set.of("forks", "tickets", "requests");
    static final Name START = new Name(0, false, 0, "", false);

    /** The next state, or {@code null} when no valid name continues this way. */
    Name step(char c) {
      if (c == '/') {
        if (!nonEmpty || gitSuffix == 4) {
          return null;
        }
        boolean f = fork;
        if (partsDone == 0) {
          if ("tickets".equals(firstWord) || "requests".equals(firstWord)) {
            return null;
          }
          f = "forks".equals(firstWord);
        }
        int parts = partsDone + 1;
        if (parts >= (f ? 4 : 2)) {
          return null;
        }
        return new Name(parts, false, 0, null, f);
      }
      boolean first = Character.isLetterOrDigit(c) || c == '_';
      if (!nonEmpty && !first) {
        return null;
      }
      int suffix =
          c == '.'
              ? 1
              : (gitSuffix == 1 && c == 'g')
                      || (gitSuffix == 2 && c == 'i')
                      || (gitSuffix == 3 && c == 't')
                  ? gitSuffix + 1
                  : 0;
      String word = null;
      if (partsDone == 0 && firstWord != null) {
        String w = firstWord + c;
        word = WORDS.stream().anyMatch(x -> x.startsWith(w)) ? w : null;
      }
      return new Name(partsDone, true, suffix, word, fork);
    }

    boolean accepts() {
      if (!nonEmpty || gitSuffix == 4) {
        return false;
      }
      if (partsDone == 0) {
        return firstWord == null || !WORDS.contains(firstWord);
      }
      int parts = partsDone + 1;
      return fork ? parts >= 3 && parts <= 4 : parts <= 2;
    }
  }

  private record State(BitSet mine, List<BitSet> others, Name name) {}

  /** Breadth first over (glob, earlier globs, name rule); a shortest qualifying name. */
  private static Optional<String> search(Nfa mine, List<Nfa> others) {
    List<BitSet> otherStarts = others.stream().map(Nfa::start).toList();
    State start = new State(mine.start(), otherStarts, Name.START);
    Map<State, State> parent = new HashMap<>();
    Map<State, Character> via = new HashMap<>();
    ArrayDeque<State> queue = new ArrayDeque<>();
    parent.put(start, start);
    queue.add(start);
    while (!queue.isEmpty()) {
      State s = queue.poll();
      if (mine.accepts(s.mine()) && s.name().accepts() && noneAccepts(others, s.others())) {
        StringBuilder b = new StringBuilder();
        for (State t = s; t != start; t = parent.get(t)) {
          b.append(via.get(t));
        }
        return Optional.of(b.reverse().toString());
      }
      if (parent.size() > MAX_STATES) {
        throw new TooLarge();
      }
      for (char c : ALPHABET) {
        BitSet m = mine.step(s.mine(), c);
        if (m.isEmpty()) {
          continue;
        }
        Name n = s.name().step(c);
        if (n == null) {
          continue;
        }
        List<BitSet> o = new ArrayList<>(others.size());
        for (int i = 0; i < others.size(); i++) {
          o.add(others.get(i).step(s.others().get(i), c));
        }
        State t = new State(m, o, n);
        if (!parent.containsKey(t)) {
          parent.put(t, s);
          via.put(t, c);
          queue.add(t);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean noneAccepts(List<Nfa> others, List<BitSet> states) {
    for (int i = 0; i < others.size(); i++) {
      if (others.get(i).accepts(states.get(i))) {
        return false;
      }
    }
    return true;
  }
}
