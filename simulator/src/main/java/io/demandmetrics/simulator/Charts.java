package io.demandmetrics.simulator;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Line charts as PNG, drawn by JFreeChart in one house style: the simulator's report and the
 * adapter's explain page. Headless: nothing needs a display.
 */
public final class Charts {

    /** The series' colours in order: the demand line's blue first. */
    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b)};

    private Charts() {
    }

    /** One line: {@code y} against {@code x}, as a PNG of the given size. */
    public static byte[] linePng(String title, String xLabel, String yLabel, String series, double[] x, double[] y,
                                 int width, int height) {
        XYSeries line = new XYSeries(series);
        for (int i = 0; i < x.length; i++) {
            line.add(x[i], y[i]);
        }
        XYSeriesCollection data = new XYSeriesCollection(line);
        return png(styled(ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
                false, false)), width, height);
    }

    /** White background, light grid, no shapes, the house colours. */
    static JFreeChart styled(JFreeChart chart) {
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, COLORS[i % COLORS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(i == 0 ? 2.0f : 1.6f));
        }
        plot.setRenderer(renderer);
        return chart;
    }

    static byte[] png(JFreeChart chart, int width, int height) {
        System.setProperty("java.awt.headless", "true");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toByteArray();
    }
}
