"""The one error the model package raises on purpose."""

from __future__ import annotations

from portcontrol.core.errors import PortControlError


class ModelError(PortControlError):
    """Bad training or scoring input, or an unusable model artifact.

    The message is one human sentence: the CLI prints it as the only line on stderr.
    """

    code = "model"
