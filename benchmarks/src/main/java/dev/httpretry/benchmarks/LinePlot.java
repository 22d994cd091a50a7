package dev.httpretry.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/** Line charts side by side in one PNG, drawn with Java2D: axes, ticks, grid, labels and a legend. */
public final class LinePlot {

    private static final Color[] COLORS = { new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C),
            new Color(0xFF7F0E), new Color(0x9467BD) };

    private static final int PANEL_WIDTH = 720;

    private static final int PANEL_HEIGHT = 520;

    private static final int TITLE_HEIGHT = 44;

    private LinePlot() {
    }

    /** One line. */
    public record Series(String name, double[] x, double[] y) {
    }

    /**
     * One chart.
     * @param logY whether the y axis is logarithmic (for series that differ by orders of magnitude)
     */
    public record Panel(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
    }

    public static void write(Path png, String title, List<Panel> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int width = PANEL_WIDTH * panels.size();
        int height = PANEL_HEIGHT + TITLE_HEIGHT;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            FontMetrics fm = g.getFontMetrics();
            g.drawString(title, Math.max(8, (width - fm.stringWidth(title)) / 2), 26);
            for (int i = 0; i < panels.size(); i++) {
                drawPanel(g, panels.get(i), i * PANEL_WIDTH, TITLE_HEIGHT);
            }
        }
        finally {
            g.dispose();
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("No PNG writer");
        }
    }

    private static void drawPanel(Graphics2D g, Panel panel, int left, int top) {
        int plotLeft = left + 90;
        int plotRight = left + PANEL_WIDTH - 30;
        int plotTop = top + 40;
        int plotBottom = top + PANEL_HEIGHT - 70;
        double xMax = 0;
        double yMax = 0;
        double yMin = Double.MAX_VALUE;
        for (Series s : panel.series()) {
            for (double v : s.x()) {
                xMax = Math.max(xMax, v);
            }
            for (double v : s.y()) {
                yMax = Math.max(yMax, v);
                yMin = Math.min(yMin, v);
            }
        }
        double xStep = niceStep(xMax);
        double xTop = Math.ceil(xMax / xStep) * xStep;
        Scale scale = panel.logY() ? Scale.log(yMin, yMax) : Scale.linear(yMax);

        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        FontMetrics bold = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString(panel.title(), (plotLeft + plotRight - bold.stringWidth(panel.title())) / 2, top + 24);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        // grid and ticks
        for (double v : scale.ticks()) {
            int y = scale.pixel(v, plotTop, plotBottom);
            g.setColor(new Color(0xE5E5E5));
            g.drawLine(plotLeft, y, plotRight, y);
            g.setColor(Color.BLACK);
            g.drawLine(plotLeft - 5, y, plotLeft, y);
            String label = format(v);
            g.drawString(label, plotLeft - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        for (double v = 0; v <= xTop + xStep / 2; v += xStep) {
            int x = xPixel(v, xTop, plotLeft, plotRight);
            g.setColor(new Color(0xE5E5E5));
            g.drawLine(x, plotTop, x, plotBottom);
            g.setColor(Color.BLACK);
            g.drawLine(x, plotBottom, x, plotBottom + 5);
            String label = format(v);
            g.drawString(label, x - fm.stringWidth(label) / 2, plotBottom + 8 + fm.getAscent());
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.drawLine(plotLeft, plotBottom, plotRight, plotBottom);
        g.drawLine(plotLeft, plotTop, plotLeft, plotBottom);

        // axis labels
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        g.drawString(panel.xLabel(), (plotLeft + plotRight - fm.stringWidth(panel.xLabel())) / 2, plotBottom + 48);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(panel.yLabel(), -(plotTop + plotBottom + fm.stringWidth(panel.yLabel())) / 2, left + 22);
        g.setTransform(saved);

        // lines with markers
        for (int i = 0; i < panel.series().size(); i++) {
            Series s = panel.series().get(i);
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double line = new Path2D.Double();
            for (int j = 0; j < s.x().length; j++) {
                double px = xPixel(s.x()[j], xTop, plotLeft, plotRight);
                double py = scale.pixel(s.y()[j], plotTop, plotBottom);
                if (j == 0) {
                    line.moveTo(px, py);
                }
                else {
                    line.lineTo(px, py);
                }
            }
            g.draw(line);
            for (int j = 0; j < s.x().length; j++) {
                int px = xPixel(s.x()[j], xTop, plotLeft, plotRight);
                int py = scale.pixel(s.y()[j], plotTop, plotBottom);
                g.fillOval(px - 4, py - 4, 8, 8);
            }
        }

        // legend, top left inside the plot
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        int legendWidth = 0;
        for (Series s : panel.series()) {
            legendWidth = Math.max(legendWidth, fm.stringWidth(s.name()));
        }
        legendWidth += 50;
        int lineHeight = fm.getHeight() + 4;
        int legendHeight = lineHeight * panel.series().size() + 10;
        int lx = plotLeft + 15;
        int ly = plotTop + 10;
        g.setColor(new Color(255, 255, 255, 235));
        g.fillRect(lx, ly, legendWidth, legendHeight);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(lx, ly, legendWidth, legendHeight);
        for (int i = 0; i < panel.series().size(); i++) {
            int y = ly + 5 + lineHeight * i + lineHeight / 2;
            g.setColor(COLORS[i % COLORS.length]);
            g.setStroke(new BasicStroke(2.5f));
            g.drawLine(lx + 8, y, lx + 34, y);
            g.fillOval(lx + 17, y - 4, 8, 8);
            g.setColor(Color.BLACK);
            g.drawString(panel.series().get(i).name(), lx + 42, y + fm.getAscent() / 2 - 2);
        }
    }

    private static int xPixel(double v, double max, int left, int right) {
        return (int) Math.round(left + (right - left) * v / max);
    }

    /** The y axis: linear from 0, or logarithmic over whole decades. */
    private record Scale(boolean log, double low, double high, List<Double> ticks) {

        static Scale linear(double max) {
            double step = niceStep(max);
            double top = Math.ceil(max / step) * step;
            if (top == max) {
                top += step;
            }
            List<Double> ticks = new java.util.ArrayList<>();
            for (int i = 0; i * step <= top + step / 2; i++) {
                ticks.add(i * step);
            }
            return new Scale(false, 0, top, ticks);
        }

        static Scale log(double min, double max) {
            double low = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1e-9))));
            double high = Math.pow(10, Math.ceil(Math.log10(max)));
            if (high <= max) {
                high *= 10;
            }
            List<Double> ticks = new java.util.ArrayList<>();
            for (double decade = low; decade <= high * 1.0001; decade *= 10) {
                for (double m : new double[] { 1, 2, 5 }) {
                    if (decade * m <= high * 1.0001) {
                        ticks.add(decade * m);
                    }
                }
            }
            return new Scale(true, low, high, ticks);
        }

        int pixel(double v, int top, int bottom) {
            double fraction = this.log ? Math.log(v / this.low) / Math.log(this.high / this.low) : (v - this.low) / (this.high - this.low);
            return (int) Math.round(bottom - (bottom - top) * fraction);
        }
    }

    /** 1, 2 or 5 times a power of ten, giving 5 to 10 ticks up to {@code max}. */
    static double niceStep(double max) {
        if (!(max > 0)) {
            return 1;
        }
        double raw = max / 8;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = (fraction <= 1) ? 1 : (fraction <= 2) ? 2 : (fraction <= 5) ? 5 : 10;
        return nice * power;
    }

    private static String format(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (Math.abs(v) < 1) {
            // ticks of a log axis below 1 (0.05, 0.02): two significant digits, not 0.1 and 0.0
            return new java.math.BigDecimal(v).round(new java.math.MathContext(2)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
