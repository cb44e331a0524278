package io.demandmetrics.scaler.spi.build;

import io.demandmetrics.scaler.spi.SpiVersion;
import java.io.IOException;
import java.io.Writer;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.StandardLocation;

/**
 * Records the SPI version a plugin is compiled against: {@code javac} finds this processor in
 * the SPI's jar on the class path and runs it, and it writes {@link SpiVersion#CURRENT} to
 * {@link SpiVersion#RESOURCE} among the compiled classes, so the plugin's jar carries it
 * without a line in the team's build. It reads no annotation and changes no class.
 */
public final class SpiVersionRecorder extends AbstractProcessor {

    private boolean written;

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (!written && !round.processingOver()) {
            written = true;
            try (Writer out = processingEnv.getFiler()
                    .createResource(StandardLocation.CLASS_OUTPUT, "", SpiVersion.RESOURCE).openWriter()) {
                out.write(SpiVersion.CURRENT + "\n");
            } catch (IOException e) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.WARNING,
                        "could not record the demand-scaler SPI version in " + SpiVersion.RESOURCE + ": " + e.getMessage());
            }
        }
        return false; // claims nothing: other processors see every annotation
    }
}
