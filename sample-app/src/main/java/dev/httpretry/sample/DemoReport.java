package dev.httpretry.sample;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one demonstration: the same calls made by each client against the same upstream.
 *
 * @param calls calls per client
 * @param concurrency calls in flight at once
 * @param scenario how the upstream misbehaved
 * @param runs one result per client, the plain one first
 */
public record DemoReport(int calls, int concurrency, Scenario scenario, List<RunResult> runs) {

    private static final String[] HEADERS = { "client", "calls", "successes", "attempts", "amplification", "p50 ms", "p99 ms" };

    /** Copies the list. */
    public DemoReport {
        runs = List.copyOf(runs);
    }

    /**
     * The result of the client with this label.
     * @param client the client's label
     * @return its result
     * @throws IllegalArgumentException if no run has that label
     */
    public RunResult run(String client) {
        return this.runs.stream()
            .filter((run) -> run.client().equals(client))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No run of client '" + client + "'"));
    }

    /**
     * The report as a text table, with the failures and stop reasons of each client below it, then
     * the notes of the rows that have one.
     * @return the table, lines ending in {@code \n}
     */
    public String table() {
        String[][] rows = new String[this.runs.size() + 1][];
        rows[0] = HEADERS;
        for (int i = 0; i < this.runs.size(); i++) {
            RunResult run = this.runs.get(i);
            rows[i + 1] = new String[] { run.client(), String.valueOf(run.calls()), String.valueOf(run.successes()),
                    String.valueOf(run.attempts()), String.format(Locale.ROOT, "%.2fx", run.amplification()),
                    String.format(Locale.ROOT, "%.1f", run.p50Ms()), String.format(Locale.ROOT, "%.1f", run.p99Ms()) };
        }
        int[] widths = new int[HEADERS.length];
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                widths[column] = Math.max(widths[column], row[column].length());
            }
        }
        StringBuilder table = new StringBuilder();
        table.append(this.calls).append(" calls per client, ").append(this.concurrency).append(" at a time; upstream: ")
            .append(this.scenario.describe()).append('\n');
        for (String[] row : rows) {
            for (int column = 0; column < row.length; column++) {
                String cell = row[column];
                // The first column is text: left-aligned; the numbers are right-aligned.
                String padded = (column == 0) ? pad(cell, widths[column], false) : pad(cell, widths[column], true);
                table.append(column == 0 ? "" : "  ").append(padded);
            }
            table.append('\n');
        }
        for (RunResult run : this.runs) {
            table.append("  ").append(run.client()).append(": failures ").append(counts(run.failures()));
            if (!run.stopReasons().isEmpty()) {
                table.append("; stop reasons ").append(counts(run.stopReasons()));
            }
            table.append('\n');
        }
        for (RunResult run : this.runs) {
            if (!run.note().isEmpty()) {
                table.append("  note: ").append(run.client()).append(": ").append(run.note()).append('\n');
            }
        }
        return table.toString();
    }

    private static String counts(Map<String, ? extends Number> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        return counts.entrySet().stream().map((entry) -> entry.getKey() + " x" + entry.getValue()).collect(Collectors.joining(", "));
    }

    private static String pad(String cell, int width, boolean right) {
        String padding = " ".repeat(width - cell.length());
        return right ? padding + cell : cell + padding;
    }
}
