package dev.httpretry.sample;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One row of the demo table: a client that makes the demo's calls.
 *
 * @param label the row's label in the table
 * @param retryClient the name of the retry client its calls run under, whose stop reasons the row
 * reports; {@code null} for a row that sends each call once
 * @param note what this row shows when it is more than a comparison on the same footing, printed
 * under the table; empty for none
 * @param call how one call is made
 */
public record DemoRow(String label, @Nullable String retryClient, String note, UpstreamCall call) {

    /** Checks that every part is set. */
    public DemoRow {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(call, "call");
    }

    /**
     * A row that sends each call once.
     * @param label the row's label
     * @param call how one call is made
     * @return the row
     */
    public static DemoRow plain(String label, UpstreamCall call) {
        return new DemoRow(label, null, "", call);
    }

    /**
     * A row whose calls retry under a client of their own.
     * @param label the row's label
     * @param retryClient the retry client's name
     * @param call how one call is made
     * @return the row
     */
    public static DemoRow retrying(String label, String retryClient, UpstreamCall call) {
        return new DemoRow(label, retryClient, "", call);
    }

    /**
     * This row with a note under the table.
     * @param note what the row shows
     * @return the row
     */
    public DemoRow withNote(String note) {
        return new DemoRow(this.label, this.retryClient, note, this.call);
    }
}
