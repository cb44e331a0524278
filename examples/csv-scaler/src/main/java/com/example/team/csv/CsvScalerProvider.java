package com.example.team.csv;

import io.demandmetrics.scaler.spi.InvalidConfigException;
import io.demandmetrics.scaler.spi.Sample;
import io.demandmetrics.scaler.spi.Scaler;
import io.demandmetrics.scaler.spi.ScalerContext;
import io.demandmetrics.scaler.spi.ScalerProvider;
import io.demandmetrics.scaler.support.ParameterReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * {@code demand-csv}: serves demand that a team's job writes to a CSV file with a header, a
 * series per row: the {@code value} column is the value, every other column a label, e.g.
 * <pre>
 * queue,value
 * orders,120
 * refunds,4
 * </pre>
 * It reads the file with Apache Commons CSV, a library the adapter does not have: the plugin
 * ships as a directory holding its jar and that library's.
 */
public final class CsvScalerProvider implements ScalerProvider<CsvScalerProvider.Config> {

    /** The parsed parameters: the file, and the column that holds the values. */
    public record Config(Path path, String valueColumn) {
    }

    @Override
    public String type() {
        return "demand-csv";
    }

    @Override
    public Config parseConfig(Map<String, Object> parameters) throws InvalidConfigException {
        ParameterReader p = new ParameterReader(parameters, "path", "valueColumn");
        String path = p.string("path");
        String valueColumn = p.string("valueColumn", "value");
        p.throwIfInvalid();
        return new Config(Path.of(path), valueColumn);
    }

    @Override
    public Scaler createScaler(Config config, ScalerContext context) {
        // File reads block: run them on the worker pool the adapter gives each scaler type.
        return () -> context.blockingExecutor().executeBlocking(() -> {
            try (Reader csv = Files.newBufferedReader(config.path())) {
                return samples(csv, config.valueColumn());
            }
        });
    }

    /** A sample per row; a file without the value column, or a row whose value is not a number, fails the poll. */
    static List<Sample> samples(Reader csv, String valueColumn) throws IOException {
        var records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get().parse(csv);
        List<String> header = records.getHeaderNames();
        if (!header.contains(valueColumn)) {
            throw new IllegalArgumentException("the CSV header " + header + " has no \"" + valueColumn + "\" column");
        }
        List<Sample> samples = new ArrayList<>();
        for (CSVRecord record : records) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (String column : header) {
                if (!column.equals(valueColumn) && record.isSet(column)) {
                    labels.put(column, record.get(column));
                }
            }
            String value = record.isSet(valueColumn) ? record.get(valueColumn) : "";
            try {
                samples.add(Sample.of(labels, Double.parseDouble(value)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("row " + record.getRecordNumber() + ": \"" + valueColumn
                        + "\" is not a number");
            }
        }
        return samples;
    }
}
