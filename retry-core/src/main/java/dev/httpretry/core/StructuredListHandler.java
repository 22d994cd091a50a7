package dev.httpretry.core;

import org.jspecify.annotations.Nullable;

/**
 * What {@link StructuredFieldParser} tells about the members of a Structured Field list: for each
 * member in order, its start, its parameters and its end. Parameters of the items of an inner list
 * are not told, and what was told counts only when the whole list turns out valid.
 */
interface StructuredListHandler {

    /** A list member begins; its parameters follow. */
    void memberStarted();

    /**
     * One parameter of the current member; a key given twice is told twice, in order.
     * @param key the parameter's key
     * @param value the text of its bare item, or {@code null} when it has none (Boolean true)
     */
    void parameter(String key, @Nullable String value);

    /** The current member and its parameters have been read, and they are valid. */
    void memberEnded();
}
