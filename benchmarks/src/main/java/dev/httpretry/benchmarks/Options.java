package dev.httpretry.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/** Command-line options of the form {@code --name value}. */
final class Options {

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    static Options parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Invalid argument (" + arg + "): expected --name value");
            }
            values.put(arg.substring(2), args[++i]);
        }
        return new Options(values);
    }

    String string(String name, String defaultValue) {
        return this.values.getOrDefault(name, defaultValue);
    }

    int integer(String name, int defaultValue) {
        String value = this.values.get(name);
        return (value != null) ? Integer.parseInt(value) : defaultValue;
    }

    long longValue(String name, long defaultValue) {
        String value = this.values.get(name);
        return (value != null) ? Long.parseLong(value) : defaultValue;
    }
}
