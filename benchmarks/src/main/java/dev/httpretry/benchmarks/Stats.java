package dev.httpretry.benchmarks;

import java.util.Arrays;
import java.util.Collection;
import java.util.function.ToDoubleFunction;

/** Medians, ranges and percentiles of the repetitions and calls of a benchmark. */
final class Stats {

    private Stats() {
    }

    static <T> double median(Collection<T> values, ToDoubleFunction<T> value) {
        return median(values.stream().mapToDouble(value).toArray());
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return (sorted.length % 2 == 1) ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static <T> double min(Collection<T> values, ToDoubleFunction<T> value) {
        return values.stream().mapToDouble(value).min().orElse(Double.NaN);
    }

    static <T> double max(Collection<T> values, ToDoubleFunction<T> value) {
        return values.stream().mapToDouble(value).max().orElse(Double.NaN);
    }

    /**
     * The nearest-rank percentile of sorted values.
     * @param sorted values in ascending order
     * @param quantile between 0 and 1
     * @return the value, or {@code NaN} when there are none
     */
    static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
        return sorted[index];
    }
}
