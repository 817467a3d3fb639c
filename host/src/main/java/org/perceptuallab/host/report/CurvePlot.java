package org.perceptuallab.host.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.perceptuallab.api.PlabException;

/** Line plots of named series (a loss per optimisation step), as PNG files. */
public final class CurvePlot {
    private CurvePlot() {
    }

    /**
     * Plots each series against its step index; the y axis is logarithmic when every value is positive
     * and they span more than a factor of 20.
     */
    public static void write(Path png, String title, String yLabel, Map<String, List<Double>> series) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, List<Double>> s : series.entrySet()) {
            XYSeries xy = new XYSeries(s.getKey(), false, true);
            List<Double> values = s.getValue();
            int stride = Math.max(1, values.size() / 2000);
            for (int i = 0; i < values.size(); i += stride) {
                double v = values.get(i);
                if (Double.isFinite(v)) {
                    xy.add(i, v);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "step", yLabel, data, PlotOrientation.VERTICAL,
                series.size() > 1, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (int i = 0; i < series.size(); i++) {
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(1.5f));
        }
        if (min > 0 && max / min > 20) {
            LogAxis log = new LogAxis(yLabel + " (log)");
            log.setSmallestValue(min / 2);
            plot.setRangeAxis(log);
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ChartUtils.saveChartAsPNG(png.toFile(), chart, 480, 300);
        } catch (IOException e) {
            throw new PlabException("cannot write plot " + png + ": " + e.getMessage(), e);
        }
    }
}
