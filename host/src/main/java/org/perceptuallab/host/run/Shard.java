package org.perceptuallab.host.run;

import java.util.Map;
import org.perceptuallab.api.PlabException;

/**
 * One of {@code count} shards of a matrix, numbered from 0: {@code --shard K/N}, or {@code --shard auto},
 * which reads the index and count the scheduler gives each task of an array job.
 *
 * @param index this shard, 0 to count - 1
 * @param count how many shards share the matrix
 */
public record Shard(int index, int count) {
    /** The whole matrix in one process. */
    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new PlabException("--shard " + index + "/" + count + ": the index must be in 0.." + (count - 1)
                    + " and the count at least 1 (as in --shard 0/3, --shard 2/3)");
        }
    }

    /**
     * Parses {@code K/N} or {@code auto}. Auto reads Slurm's {@code SLURM_ARRAY_TASK_ID} (less
     * {@code SLURM_ARRAY_TASK_MIN}, over {@code SLURM_ARRAY_TASK_STEP}, so {@code --array=4-8:2} works too)
     * and {@code SLURM_ARRAY_TASK_COUNT}, or Kubernetes'
     * {@code JOB_COMPLETION_INDEX} with the count in {@code PLAB_SHARD_COUNT} (an Indexed Job does not
     * expose its completions; the manifest sets it).
     */
    public static Shard parse(String text, Map<String, String> env) {
        if (text.equals("auto")) {
            if (env.containsKey("SLURM_ARRAY_TASK_ID")) {
                int id = number("SLURM_ARRAY_TASK_ID", env.get("SLURM_ARRAY_TASK_ID"));
                int min = env.containsKey("SLURM_ARRAY_TASK_MIN")
                        ? number("SLURM_ARRAY_TASK_MIN", env.get("SLURM_ARRAY_TASK_MIN")) : 0;
                int step = env.containsKey("SLURM_ARRAY_TASK_STEP")
                        ? Math.max(1, number("SLURM_ARRAY_TASK_STEP", env.get("SLURM_ARRAY_TASK_STEP"))) : 1;
                String count = env.get("SLURM_ARRAY_TASK_COUNT");
                if (count == null) {
                    throw new PlabException("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is"
                            + " not; submit with sbatch --array=0-(N-1), or give --shard K/N");
                }
                return new Shard((id - min) / step, number("SLURM_ARRAY_TASK_COUNT", count));
            }
            if (env.containsKey("JOB_COMPLETION_INDEX")) {
                String count = env.get("PLAB_SHARD_COUNT");
                if (count == null) {
                    throw new PlabException("--shard auto: JOB_COMPLETION_INDEX is set but PLAB_SHARD_COUNT is not;"
                            + " set it in the Job's env to the same number as 'completions'");
                }
                return new Shard(number("JOB_COMPLETION_INDEX", env.get("JOB_COMPLETION_INDEX")),
                        number("PLAB_SHARD_COUNT", count));
            }
            throw new PlabException("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor"
                    + " JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard K/N instead");
        }
        String[] parts = text.split("/", -1);
        if (parts.length != 2) {
            throw new PlabException("--shard '" + text + "': expected K/N (shard K of N, from 0) or auto");
        }
        return new Shard(number("--shard's K", parts[0]), number("--shard's N", parts[1]));
    }

    private static int number(String what, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new PlabException(what + " is '" + value + "', not a whole number");
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
