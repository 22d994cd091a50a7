package dev.httpretry.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import dev.httpretry.benchmarks.BrookerSimulation.Point;
import dev.httpretry.core.Jitter;

/**
 * The simulation's results as CSV, Markdown tables and a plot, apart from the model so that what is
 * simulated and how it is shown change independently.
 */
final class BrookerResults {

    private BrookerResults() {
    }

    static String csv(Map<Jitter, List<Point>> results) {
        StringBuilder csv = new StringBuilder("algorithm,clients,trials,mean_calls,calls_per_client,min_calls,max_calls,mean_completion_ms\n");
        results.forEach((jitter, points) -> points.forEach((p) -> csv.append(String.format(Locale.ROOT,
                "%s,%d,%d,%.2f,%.3f,%d,%d,%.2f%n", jitter.configName(), p.clients(), p.trials(), p.meanCalls(),
                p.callsPerClient(), p.minCalls(), p.maxCalls(), p.meanCompletionMillis()))));
        return csv.toString();
    }

    static String markdown(Map<Jitter, List<Point>> results, String description) {
        StringBuilder md = new StringBuilder();
        md.append("Brooker's OCC simulation, jitter from dev.httpretry.core.Backoff: ").append(description).append("\n\n");
        md.append("Total calls (writes received by the server, all attempts of all clients), mean per trial:\n\n");
        table(md, results, Point::meanCalls, "%.1f");
        md.append("\nCompletion time (simulated ms until the last client succeeded), mean per trial:\n\n");
        table(md, results, Point::meanCompletionMillis, "%.0f");
        return md.toString();
    }

    private static void table(StringBuilder md, Map<Jitter, List<Point>> results,
            ToDoubleFunction<Point> value, String format) {
        md.append("| clients |");
        results.keySet().forEach((jitter) -> md.append(' ').append(jitter.configName()).append(" |"));
        md.append('\n').append("| ---: |");
        results.keySet().forEach((jitter) -> md.append(" ---: |"));
        md.append('\n');
        List<Point> first = results.values().iterator().next();
        for (int i = 0; i < first.size(); i++) {
            md.append("| ").append(first.get(i).clients()).append(" |");
            for (List<Point> points : results.values()) {
                md.append(' ').append(String.format(Locale.ROOT, format, value.applyAsDouble(points.get(i)))).append(" |");
            }
            md.append('\n');
        }
    }

    static void writePlot(Map<Jitter, List<Point>> results, String description, Path png) throws IOException {
        List<LinePlot.Series> calls = new ArrayList<>();
        List<LinePlot.Series> times = new ArrayList<>();
        results.forEach((jitter, points) -> {
            double[] x = points.stream().mapToDouble(Point::clients).toArray();
            calls.add(new LinePlot.Series(jitter.configName(), x, points.stream().mapToDouble(Point::meanCalls).toArray()));
            times.add(new LinePlot.Series(jitter.configName(), x,
                    points.stream().mapToDouble(Point::meanCompletionMillis).toArray()));
        });
        LinePlot.write(png, "Brooker's OCC simulation with dev.httpretry.core.Backoff (" + description + ")",
                List.of(new LinePlot.Panel("Work: total calls", "clients", "calls (mean per trial)", calls, false),
                        new LinePlot.Panel("Completion time (log scale)", "clients",
                                "simulated ms until the last client succeeded", times, true)));
    }
}
