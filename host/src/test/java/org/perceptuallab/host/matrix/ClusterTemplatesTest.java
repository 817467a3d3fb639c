package org.perceptuallab.host.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.perceptuallab.testkit.Fixtures;

/**
 * The Kubernetes template against the Job schema (the API's own generated models, which reject unknown and
 * mistyped fields; kubectl cannot validate without a server), and against what plab needs from it. The
 * Slurm template runs for real in {@link SlurmShardTest}.
 */
class ClusterTemplatesTest {

    @Test
    void theIndexedJobTemplateIsAValidJobThatRunsEveryShardIntoTheSharedVolume() throws Exception {
        JsonNode yaml = new ObjectMapper(new YAMLFactory())
                .readTree(Fixtures.shipped("examples/cluster/plab-indexed-job.yaml").toFile());
        V1Job job = V1Job.fromJson(yaml.toString());
        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getKind()).isEqualTo("Job");
        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        V1Container plab = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        List<String> args = plab.getArgs();
        assertThat(args).containsSequence("--shard", "auto").contains("matrix");
        String count = plab.getEnv().stream().filter(e -> e.getName().equals("PLAB_SHARD_COUNT"))
                .map(V1EnvVar::getValue).findFirst().orElseThrow();
        assertThat(Integer.parseInt(count)).as("PLAB_SHARD_COUNT = completions")
                .isEqualTo(job.getSpec().getCompletions());
        String out = args.get(args.indexOf("--out") + 1);
        String mount = plab.getVolumeMounts().get(0).getMountPath();
        assertThat(out).as("--out lies on the shared volume").startsWith(mount + "/");
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes().get(0).getName())
                .isEqualTo(plab.getVolumeMounts().get(0).getName());
        String matrix = args.get(args.indexOf("matrix") + 1);
        assertThat(matrix).as("the image holds the repository at /plab (Containerfile)").startsWith("/plab/");
        assertThat(Fixtures.shipped(matrix.substring("/plab/".length()))).isRegularFile();
        assertThat(Files.readString(Fixtures.shipped("examples/cluster/Containerfile"))).contains("WORKDIR /plab");
    }

    @Test
    void theSchemaCheckRejectsAMistypedField() {
        assertThatThrownBy(() -> V1Job.fromJson("{\"apiVersion\": \"batch/v1\", \"kind\": \"Job\","
                + " \"spec\": {\"completionMod\": \"Indexed\"}}")).hasMessageContaining("completionMod");
    }
}
