package io.demandmetrics.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's "Writing a scaler" shows the whole example plugin: the file as it is, nothing left out. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheExamplePluginWhole() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent(); // tests run in adapter/
        String readme = Files.readString(root.resolve("README.md"));
        String plugin = Files.readString(
                root.resolve("examples/team-scaler/src/main/java/com/example/team/DemandFileScalerProvider.java"));
        assertThat(readme).contains("```java\n" + plugin + "```");
    }
}
