package io.demandmetrics.adapter.explain;

/**
 * A line chart as inline SVG text: a title, two labelled axes with their ranges, one line.
 * Text, so the server draws charts without a graphics library (and the page stays one file).
 */
final class LineChart {

    static final String LINE_COLOUR = "#1f77b4";
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 300;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 46;

    private LineChart() {
    }

    /** {@code x} and {@code y} of equal length, at least two points. */
    static String svg(String title, String xLabel, String yLabel, double[] x, double[] y) {
        double xMin = min(x);
        double xMax = max(x);
        double yMin = Math.min(0, min(y));
        double yMax = max(y);
        if (xMax == xMin) {
            xMax = xMin + 1;
        }
        if (yMax == yMin) {
            yMax = yMin + 1;
        }
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            double px = LEFT + (x[i] - xMin) / (xMax - xMin) * plotWidth;
            double py = TOP + plotHeight - (y[i] - yMin) / (yMax - yMin) * plotHeight;
            points.append(i == 0 ? "" : " ").append(Html.number(px)).append(',').append(Html.number(py));
        }
        int bottom = TOP + plotHeight;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + HEIGHT
                + "\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\" role=\"img\" aria-label=\"" + Html.escape(title)
                + "\" font-family=\"sans-serif\" font-size=\"13\">"
                + "<rect width=\"" + WIDTH + "\" height=\"" + HEIGHT + "\" fill=\"#fff\"/>"
                + "<text x=\"" + WIDTH / 2 + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + Html.escape(title)
                + "</text>"
                + "<path d=\"M" + LEFT + "," + TOP + "V" + bottom + "H" + (WIDTH - RIGHT) + "\" stroke=\"#555\""
                + " fill=\"none\"/>"
                + label(LEFT - 6, bottom, "end", yMin) + label(LEFT - 6, TOP + 10, "end", yMax)
                + label(LEFT, bottom + 18, "middle", xMin) + label(WIDTH - RIGHT, bottom + 18, "middle", xMax)
                + "<text x=\"" + (LEFT + plotWidth / 2) + "\" y=\"" + (HEIGHT - 8) + "\" text-anchor=\"middle\">"
                + Html.escape(xLabel) + "</text>"
                + "<text transform=\"translate(16," + (TOP + plotHeight / 2) + ") rotate(-90)\""
                + " text-anchor=\"middle\">" + Html.escape(yLabel) + "</text>"
                + "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"" + LINE_COLOUR
                + "\" stroke-width=\"3\"/></svg>";
    }

    private static String label(int x, int y, String anchor, double value) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + Html.number(value) + "</text>";
    }

    private static double min(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        for (double value : values) {
            min = Math.min(min, value);
        }
        return min;
    }

    private static double max(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double value : values) {
            max = Math.max(max, value);
        }
        return max;
    }
}
