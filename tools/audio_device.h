/* adac-run's sound-card side, through PortAudio (whose JACK host API reaches a
 * JACK server, the dummy driver included): listing devices, and playing the
 * player (player.h) as a stream until it ends or is stopped. The back ends' own
 * probing messages are hidden (quiet_stderr.h). */
#ifndef ADAC_AUDIO_DEVICE_H
#define ADAC_AUDIO_DEVICE_H

#include "control_input.h"
#include "player.h"

/* Prints the devices; returns the tool's exit status. */
int adac_audio_list_devices(void);
/* Plays p at fs on `device` (-1: the default output), input from p's file
 * source or else the default input device, taking control lines from ci and
 * feeding the file source while it plays. 1 when it played to its end. */
int adac_audio_play(adac_player *p, const char *model, double fs, long device, adac_control_input *ci);

#endif
