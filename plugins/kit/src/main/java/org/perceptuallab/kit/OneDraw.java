package org.perceptuallab.kit;

import org.perceptuallab.api.Loss;
import org.perceptuallab.api.Param;

/**
 * A loss as one comparison uses it (a distance matrix, a 2AFC set, a clustering): its
 * {@linkplain Loss#oneDraw() one-draw view}, so that every image is compared under the same function, or,
 * when the user asks for a redraw per call, the loss itself. Closing it releases the view, never the loss.
 */
public final class OneDraw implements AutoCloseable {
    /** The parameter experiments declare for the choice. */
    public static final Param<Boolean> PARAM = Param.bool("redrawPerCall", false, "give a loss that redraws its"
            + " random constants at every call (mmd-approx and mmd++ by default, vgg with reinit) a new draw per loss"
            + " call, so that batches are compared under different draws; by default every image is compared under"
            + " one draw");

    private final Loss loss;
    private final Loss compared;

    private OneDraw(Loss loss, Loss compared) {
        this.loss = loss;
        this.compared = compared;
    }

    /** The loss for one comparison: its one-draw view, or itself when {@code redrawPerCall}. */
    public static OneDraw of(Loss loss, boolean redrawPerCall) {
        return new OneDraw(loss, redrawPerCall ? loss : loss.oneDraw());
    }

    /** The loss to compare with. */
    public Loss loss() {
        return compared;
    }

    @Override
    public void close() {
        if (compared != loss) {
            compared.close();
        }
    }
}
