package dev.httpretry.core;

/**
 * A parser for the Structured Field list of RFC 9651 §4.2.1, strict in syntax (a malformed field
 * yields nothing) and lenient only in the size of numbers, which it skips at any length. It tells a
 * {@link StructuredListHandler} the parameters of each list member, what {@code RateLimit} needs,
 * and skips the rest.
 */
final class StructuredFieldParser {

    private final String text;

    private final StructuredListHandler handler;

    private int at;

    private StructuredFieldParser(String text, StructuredListHandler handler) {
        this.text = text;
        this.handler = handler;
    }

    /**
     * Parses a list field, telling {@code handler} the parameters of each member as they are read.
     * @param field the field value, the whitespace around it already dropped (RFC 9651 §4.2)
     * @param handler told about each member; what it heard counts only when the list is valid
     * @return whether the whole field is a valid list
     */
    static boolean parseList(String field, StructuredListHandler handler) {
        return new StructuredFieldParser(field, handler).parseMembers();
    }

    private boolean parseMembers() {
        while (this.at < this.text.length()) {
            this.handler.memberStarted();
            if (peek() == '(') {
                if (!parseInnerList()) {
                    return false;
                }
            }
            else if (!parseBareItem()) {
                return false;
            }
            if (!parseParameters(true)) {
                return false;
            }
            this.handler.memberEnded();
            skipOptionalWhitespace();
            if (this.at == this.text.length()) {
                return true;
            }
            if (this.text.charAt(this.at) != ',') {
                return false;
            }
            this.at++;
            skipOptionalWhitespace();
            if (this.at == this.text.length()) {
                return false; // a trailing comma
            }
        }
        return true;
    }

    private boolean parseInnerList() {
        this.at++; // '('
        while (this.at < this.text.length()) {
            skipSpaces();
            if (peek() == ')') {
                this.at++;
                return true;
            }
            if (!parseBareItem() || !parseParameters(false)) {
                return false;
            }
            char next = peek();
            if (next != ' ' && next != ')') {
                return false;
            }
        }
        return false;
    }

    /** Parameters of a list member (which are told) or of an inner-list item (ignored). */
    private boolean parseParameters(boolean member) {
        while (peek() == ';') {
            this.at++;
            skipSpaces();
            int keyStart = this.at;
            if (!parseKey()) {
                return false;
            }
            String key = this.text.substring(keyStart, this.at);
            String value = null;
            if (peek() == '=') {
                this.at++;
                int valueStart = this.at;
                if (!parseBareItem()) {
                    return false;
                }
                value = this.text.substring(valueStart, this.at);
            }
            if (member) {
                this.handler.parameter(key, value);
            }
        }
        return true;
    }

    private boolean parseKey() {
        char first = peek();
        if (!(isLowerAlpha(first) || first == '*')) {
            return false;
        }
        this.at++;
        while (this.at < this.text.length()) {
            char c = this.text.charAt(this.at);
            if (!(isLowerAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*')) {
                break;
            }
            this.at++;
        }
        return true;
    }

    /**
     * Skips an Integer or Decimal (of any length: numbers saturate when read), String, Token,
     * Byte Sequence, Boolean, Date or Display String.
     */
    private boolean parseBareItem() {
        char c = peek();
        if (c == '-' || isDigit(c)) {
            return skipNumber();
        }
        if (c == '"') {
            return skipString();
        }
        if (isAlpha(c) || c == '*') {
            this.at++;
            while (this.at < this.text.length() && isTokenChar(this.text.charAt(this.at))) {
                this.at++;
            }
            return true;
        }
        if (c == ':') {
            this.at++;
            while (this.at < this.text.length() && isBase64(this.text.charAt(this.at))) {
                this.at++;
            }
            return consume(':');
        }
        if (c == '?') {
            this.at++;
            char value = peek();
            if (value != '0' && value != '1') {
                return false;
            }
            this.at++;
            return true;
        }
        if (c == '@') {
            this.at++;
            return (isDigit(peek()) || peek() == '-') && skipNumber();
        }
        if (c == '%') {
            this.at++;
            return peek() == '"' && skipDisplayString();
        }
        return false;
    }

    private boolean skipNumber() {
        if (peek() == '-') {
            this.at++;
        }
        int digits = this.at;
        while (isDigit(peek())) {
            this.at++;
        }
        if (this.at == digits) {
            return false;
        }
        if (peek() == '.') {
            this.at++;
            int fraction = this.at;
            while (isDigit(peek())) {
                this.at++;
            }
            return this.at > fraction;
        }
        return true;
    }

    private boolean skipString() {
        this.at++; // '"'
        while (this.at < this.text.length()) {
            char c = this.text.charAt(this.at++);
            if (c == '\\') {
                if (this.at == this.text.length() || (this.text.charAt(this.at) != '"' && this.text.charAt(this.at) != '\\')) {
                    return false;
                }
                this.at++;
            }
            else if (c == '"') {
                return true;
            }
            else if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return false;
    }

    private boolean skipDisplayString() {
        this.at++; // '"'
        while (this.at < this.text.length()) {
            char c = this.text.charAt(this.at++);
            if (c == '"') {
                return true;
            }
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
            if (c == '%') {
                if (this.at + 2 > this.text.length() || !isLowerHex(this.text.charAt(this.at))
                        || !isLowerHex(this.text.charAt(this.at + 1))) {
                    return false;
                }
                this.at += 2;
            }
        }
        return false;
    }

    private boolean consume(char expected) {
        if (peek() != expected) {
            return false;
        }
        this.at++;
        return true;
    }

    private char peek() {
        return this.at < this.text.length() ? this.text.charAt(this.at) : '\0';
    }

    private void skipSpaces() {
        while (this.at < this.text.length() && this.text.charAt(this.at) == ' ') {
            this.at++;
        }
    }

    private void skipOptionalWhitespace() {
        while (this.at < this.text.length() && (this.text.charAt(this.at) == ' ' || this.text.charAt(this.at) == '\t')) {
            this.at++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLowerAlpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isAlpha(char c) {
        return isLowerAlpha(c) || (c >= 'A' && c <= 'Z');
    }

    private static boolean isLowerHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f');
    }

    private static boolean isBase64(char c) {
        return isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=';
    }

    /** RFC 9110 tchar, plus ':' and '/' (RFC 9651 sf-token). */
    private static boolean isTokenChar(char c) {
        return isAlpha(c) || isDigit(c) || c == ':' || c == '/' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
