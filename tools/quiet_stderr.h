/* Audio back ends (ALSA, JACK, through PortAudio) print their own diagnostics on
 * stderr while they probe for devices: dozens of lines on a machine without a
 * sound card, before ADAC's one clear message. These calls hide stderr around
 * such probing; ADAC's own messages come after. */
#ifndef ADAC_QUIET_STDERR_H
#define ADAC_QUIET_STDERR_H

/* Points stderr at /dev/null; returns what restores it (-1: nothing done). */
int adac_stderr_silence(void);
void adac_stderr_restore(int saved);

#endif
