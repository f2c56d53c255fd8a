/* Live control changes typed on standard input while adac-run plays: lines
 * "NAME=VALUE" (e.g. rt60=2.5). Read without ever blocking: whatever bytes are
 * there are taken, complete lines applied (several per read if they came
 * together), a partial line kept until its newline (or end of input) arrives. */
#ifndef ADAC_CONTROL_INPUT_H
#define ADAC_CONTROL_INPUT_H

#include "hot_swap.h"

#include <stddef.h>

typedef struct {
    int fd;
    int open;
    size_t len;
    int overlong; /* dropping the rest of a line longer than the buffer */
    char line[256];
} adac_control_input;

void adac_control_input_init(adac_control_input *ci, int fd);
/* Applies every complete line available now; seconds_in is for the messages. */
void adac_control_input_poll(adac_control_input *ci, adac_hot_engine *h, double seconds_in);

#endif
