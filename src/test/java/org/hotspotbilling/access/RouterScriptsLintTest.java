package org.hotspotbilling.access;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nothing here runs RouterOS, so the RouterOS scripts are checked as text for what breaks them in the field
 * (docs/routeros-scripts.md): placeholders only in the one marked settings block, no hard-coded hotspot profile, no
 * token in a URL, the fetch header used, balanced brackets and quotes, no sandbox host in force, every add guarded
 * by a find (so pasting twice duplicates nothing), and nothing RouterOS 7.12 lacks.
 */
class RouterScriptsLintTest {

    private static final Path DIR = Path.of("mikrotik-scripts");
    private static final String BLOCK_START = "# ===== SETTINGS: the only lines to edit =====";
    private static final String BLOCK_END = "# ===== END OF SETTINGS =====";
    /** Values an operator must replace; they may appear only inside the settings block. */
    private static final Pattern PLACEHOLDER = Pattern.compile(
            "example\\.com|PASTE-|203\\.0\\.113\\.|198\\.51\\.100\\.|isp\\.example");
    /** Commands and options RouterOS 7.12 lacks (7.13+: :onerror, :serialize; 7.16: dsv) or that wear flash. */
    private static final Pattern TOO_NEW_OR_HARMFUL = Pattern.compile(
            ":onerror|:serialize|:deserialize|:rndstr|/file read|output=file|check-certificate=no|idle-timeout=");
    private static final Pattern ADD = Pattern.compile("(^|\\s)/[a-z][a-z -]* add\\s");

    private static List<String> lines(String file) throws IOException {
        return Files.readAllLines(DIR.resolve(file));
    }

    private static boolean comment(String line) {
        return line.stripLeading().startsWith("#");
    }

    @ParameterizedTest
    @ValueSource(strings = { "setup.rsc", "poll.rsc", "setup-push.rsc" })
    void placeholdersAreOnlyInTheOneMarkedBlockNearTheTop(String file) throws IOException {
        List<String> lines = lines(file);
        int start = lines.indexOf(BLOCK_START);
        int end = lines.indexOf(BLOCK_END);
        assertTrue(start >= 0 && start < 20, file + ": the settings block starts within the first 20 lines");
        assertTrue(end > start, file + ": the settings block ends");
        assertEquals(start, lines.lastIndexOf(BLOCK_START), file + ": one settings block");
        boolean placeholderInBlock = false;
        for (int i = 0; i < lines.size(); i++) {
            boolean inBlock = i > start && i < end;
            boolean found = PLACEHOLDER.matcher(lines.get(i)).find();
            placeholderInBlock |= inBlock && found;
            if (found && !inBlock) {
                fail(file + ":" + (i + 1) + " has a placeholder outside the settings block: " + lines.get(i));
            }
        }
        assertTrue(placeholderInBlock, file + ": the settings block holds the placeholders");
    }

    @ParameterizedTest
    @ValueSource(strings = { "setup.rsc", "poll.rsc", "setup-push.rsc" })
    void nothingIsHardCodedToOneRouterOrTooNewFor712(String file) throws IOException {
        List<String> lines = lines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            assertTrue(!line.contains("hsprof1"), file + ":" + (i + 1) + " names a hotspot profile: " + line);
            assertTrue(!line.contains("token="), file + ":" + (i + 1) + " puts a token in a URL: " + line);
            if (!comment(line)) {
                assertTrue(!line.toLowerCase().contains("sandbox"), file + ":" + (i + 1) + " uses a sandbox host");
                assertTrue(!TOO_NEW_OR_HARMFUL.matcher(line).find(), file + ":" + (i + 1) + " needs more than "
                        + "RouterOS 7.12 or wears flash: " + line);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "setup.rsc", "poll.rsc", "setup-push.rsc" })
    void bracketsBracesParenthesesAndQuotesBalance(String file) throws IOException {
        Deque<Character> open = new ArrayDeque<>();
        List<String> lines = lines(file);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (comment(line)) {
                continue;
            }
            boolean inString = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    }
                    continue;
                }
                switch (c) {
                    case '"' -> inString = true;
                    case '{', '[', '(' -> open.push(c);
                    case '}', ']', ')' -> {
                        char expected = c == '}' ? '{' : c == ']' ? '[' : '(';
                        if (open.isEmpty() || open.pop() != expected) {
                            fail(file + ":" + (n + 1) + " closes " + c + " that is not open: " + line);
                        }
                    }
                    default -> { }
                }
            }
            assertTrue(!inString, file + ":" + (n + 1) + " leaves a string open: " + line);
        }
        assertTrue(open.isEmpty(), file + ": " + open.size() + " bracket(s) never closed");
    }

    /** One command per entry: a line ending in a backslash continues on the next. */
    private static List<String> commands(List<String> lines) {
        List<String> commands = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            if (comment(line) && current.isEmpty()) {
                commands.add(line);
                continue;
            }
            current.append(line.endsWith("\\") ? line.substring(0, line.length() - 1) : line);
            if (!line.endsWith("\\")) {
                commands.add(current.toString());
                current.setLength(0);
            }
        }
        return commands;
    }

    @ParameterizedTest
    @ValueSource(strings = { "setup.rsc", "poll.rsc", "setup-push.rsc" })
    void everyAddIsGuardedByAFindSoPastingTwiceAddsNothing(String file) throws IOException {
        List<String> commands = commands(lines(file));
        for (int i = 0; i < commands.size(); i++) {
            if (comment(commands.get(i)) || !ADD.matcher(commands.get(i)).find()) {
                continue;
            }
            boolean guarded = false;
            for (int j = Math.max(0, i - 8); j < i; j++) {
                guarded |= commands.get(j).contains(" find ") || commands.get(j).contains("[find ")
                        || commands.get(j).contains("not found");
            }
            assertTrue(guarded, file + ": no find guards " + commands.get(i).strip());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "poll.rsc" })
    void everyFetchSendsTheTokenInTheAuthorizationHeaderAndChecksTheCertificate(String file) throws IOException {
        int fetches = 0;
        for (String command : commands(lines(file))) {
            if (!comment(command) && command.contains("/tool fetch")) {
                fetches++;
                assertTrue(command.contains("http-header-field=$auth"), "fetch without the header: " + command);
                assertTrue(command.contains("check-certificate=yes-without-crl"), "unchecked TLS: " + command);
                assertTrue(command.contains("output=user"), "fetch to a file: " + command);
            }
        }
        assertEquals(2, fetches, "the list and the report");
        assertTrue(lines(file).stream().anyMatch(l -> l.contains(":local auth (\"Authorization: Bearer \" . $token)")));
    }
}
