/* A minimal offline LV2 host for the plugin tests, on lilv (the library behind
 * lv2apply). lv2apply hosts only audio and control ports, and every JUCE LV2 has
 * an atom control port (JUCE sends parameters as patch:Set messages), so
 * lv2apply refuses it ("Port 2 has unsupported type"). This host provides what a
 * JUCE LV2 requires (urid:map, options, boundedBlockLength), sets parameters with
 * patch:Set, and compensates the latency the plugin reports, as a DAW does.
 *
 *   lv2_render URI                        list the plugin's parameters
 *   lv2_render URI IN.wav OUT.wav [--block N] [--set NAME=VALUE]...
 *
 * OUT has IN's length and rate; the plugin runs at IN's rate. LV2_PATH says
 * where plugins are looked for. */
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/parameters/parameters.h>
#include <lv2/patch/patch.h>
#include <lv2/urid/urid.h>
#include <sndfile.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_URIS 512
#define MAX_SETS 16
#define ATOM_CAPACITY 65536

static char *uris[MAX_URIS];
static int n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
    (void)h;
    for (int i = 0; i < n_uris; i++)
        if (!strcmp(uris[i], uri)) return (LV2_URID)(i + 1);
    if (n_uris == MAX_URIS) return 0;
    uris[n_uris] = strdup(uri);
    return (LV2_URID)++n_uris;
}

static const char *unmap_uri(LV2_URID_Unmap_Handle h, LV2_URID urid)
{
    (void)h;
    return urid >= 1 && (int)urid <= n_uris ? uris[urid - 1] : NULL;
}

static int fail(const char *what)
{
    fprintf(stderr, "lv2_render: %s\n", what);
    return 1;
}

/* The plugin's patch parameters (JUCE's host parameters), found by label. */
static const LilvNode *find_parameter(LilvWorld *w, const LilvPlugin *p, const char *label, LilvNodes **keep)
{
    LilvNode *writable = lilv_new_uri(w, LV2_PATCH__writable);
    LilvNode *rdfs_label = lilv_new_uri(w, "http://www.w3.org/2000/01/rdf-schema#label");
    *keep = lilv_world_find_nodes(w, lilv_plugin_get_uri(p), writable, NULL);
    const LilvNode *found = NULL;
    LILV_FOREACH (nodes, i, *keep) {
        const LilvNode *prop = lilv_nodes_get(*keep, i);
        LilvNode *l = lilv_world_get(w, prop, rdfs_label, NULL);
        if (!label) {
            LilvNode *def = lilv_world_get(w, prop, lilv_new_uri(w, LV2_CORE__default), NULL);
            LilvNode *min = lilv_world_get(w, prop, lilv_new_uri(w, LV2_CORE__minimum), NULL);
            LilvNode *max = lilv_world_get(w, prop, lilv_new_uri(w, LV2_CORE__maximum), NULL);
            printf("param %s default %g min %g max %g\n", l ? lilv_node_as_string(l) : "?",
                   def ? lilv_node_as_float(def) : NAN, min ? lilv_node_as_float(min) : NAN,
                   max ? lilv_node_as_float(max) : NAN);
        } else if (l && !strcmp(lilv_node_as_string(l), label)) {
            found = prop;
        }
        lilv_node_free(l);
    }
    lilv_node_free(writable);
    lilv_node_free(rdfs_label);
    return found;
}

int main(int argc, char **argv)
{
    const char *uri = NULL, *in_path = NULL, *out_path = NULL;
    const char *set_name[MAX_SETS];
    float set_value[MAX_SETS];
    int n_sets = 0, block = 256;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--block") && i + 1 < argc) {
            block = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--set") && i + 1 < argc && n_sets < MAX_SETS) {
            char *eq = strchr(argv[++i], '=');
            if (!eq) return fail("--set takes NAME=VALUE");
            *eq = 0;
            set_name[n_sets] = argv[i];
            set_value[n_sets++] = strtof(eq + 1, NULL);
        } else if (!uri) {
            uri = argv[i];
        } else if (!in_path) {
            in_path = argv[i];
        } else if (!out_path) {
            out_path = argv[i];
        } else {
            return fail("usage: lv2_render URI [IN.wav OUT.wav] [--block N] [--set NAME=VALUE]...");
        }
    }
    if (!uri || (in_path && !out_path) || block < 1) return fail("usage: lv2_render URI [IN.wav OUT.wav] ...");

    LilvWorld *world = lilv_world_new();
    lilv_world_load_all(world);
    LilvNode *plugin_uri = lilv_new_uri(world, uri);
    const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), plugin_uri);
    if (!plugin) return fail("plugin not found (is LV2_PATH set?)");
    lilv_world_load_resource(world, plugin_uri);
    LilvNodes *props = NULL;
    if (!in_path) {
        find_parameter(world, plugin, NULL, &props);
        return 0;
    }

    SF_INFO info = {0};
    SNDFILE *in = sf_open(in_path, SFM_READ, &info);
    if (!in) return fail(sf_strerror(NULL));
    float *input = calloc((size_t)info.frames * info.channels, sizeof(float));
    sf_readf_float(in, input, info.frames);
    sf_close(in);

    LV2_URID_Map map = {NULL, map_uri};
    LV2_URID_Unmap unmap = {NULL, unmap_uri};
    int32_t max_block = block, min_block = 1;
    float rate_f = (float)info.samplerate;
    LV2_Options_Option options[] = {
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__maxBlockLength), sizeof(int32_t),
         map_uri(NULL, LV2_ATOM__Int), &max_block},
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__minBlockLength), sizeof(int32_t),
         map_uri(NULL, LV2_ATOM__Int), &min_block},
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_PARAMETERS__sampleRate), sizeof(float),
         map_uri(NULL, LV2_ATOM__Float), &rate_f},
        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL}};
    LV2_Feature f_map = {LV2_URID__map, &map}, f_unmap = {LV2_URID__unmap, &unmap};
    LV2_Feature f_opts = {LV2_OPTIONS__options, options}, f_bounded = {LV2_BUF_SIZE__boundedBlockLength, NULL};
    const LV2_Feature *features[] = {&f_map, &f_unmap, &f_opts, &f_bounded, NULL};
    LilvInstance *inst = lilv_plugin_instantiate(plugin, info.samplerate, features);
    if (!inst) return fail("the plugin did not instantiate");

    LilvNode *c_audio = lilv_new_uri(world, LV2_CORE__AudioPort), *c_control = lilv_new_uri(world, LV2_CORE__ControlPort);
    LilvNode *c_atom = lilv_new_uri(world, LV2_ATOM__AtomPort), *c_input = lilv_new_uri(world, LV2_CORE__InputPort);
    LilvNode *latency_designation = lilv_new_uri(world, LV2_CORE__latency);
    uint32_t n_ports = lilv_plugin_get_num_ports(plugin);
    float *audio_in[64], *audio_out[64], control[256];
    int n_ain = 0, n_aout = 0, latency_port = -1;
    LV2_Atom_Sequence *atom_in = NULL, *atom_out = NULL;
    float *mins = calloc(n_ports, sizeof(float)), *maxs = calloc(n_ports, sizeof(float));
    float *defs = calloc(n_ports, sizeof(float));
    lilv_plugin_get_port_ranges_float(plugin, mins, maxs, defs);
    for (uint32_t p = 0; p < n_ports && p < 256; p++) {
        const LilvPort *port = lilv_plugin_get_port_by_index(plugin, p);
        int is_in = lilv_port_is_a(plugin, port, c_input);
        if (lilv_port_is_a(plugin, port, c_audio)) {
            float *buf = calloc((size_t)block, sizeof(float));
            if (is_in && n_ain < 64) audio_in[n_ain++] = buf;
            else if (!is_in && n_aout < 64) audio_out[n_aout++] = buf;
            lilv_instance_connect_port(inst, p, buf);
        } else if (lilv_port_is_a(plugin, port, c_control)) {
            control[p] = isnan(defs[p]) ? 0.0f : defs[p];
            LilvNode *des = lilv_port_get(plugin, port, lilv_new_uri(world, LV2_CORE__designation));
            if (!is_in && des && lilv_node_equals(des, latency_designation)) latency_port = (int)p;
            lilv_instance_connect_port(inst, p, &control[p]);
        } else if (lilv_port_is_a(plugin, port, c_atom)) {
            LV2_Atom_Sequence *seq = aligned_alloc(8, ATOM_CAPACITY);
            memset(seq, 0, ATOM_CAPACITY);
            if (is_in) atom_in = seq;
            else atom_out = seq;
            lilv_instance_connect_port(inst, p, seq);
        } else {
            lilv_instance_connect_port(inst, p, NULL);
        }
    }
    if (n_ain != info.channels) {
        fprintf(stderr, "lv2_render: the plugin has %d audio inputs, %s has %d channels\n", n_ain, in_path,
                info.channels);
        return 1;
    }

    /* The parameters, as patch:Set messages in the first block's control sequence. */
    LV2_Atom_Forge forge;
    lv2_atom_forge_init(&forge, &map);
    LV2_URID patch_set = map_uri(NULL, LV2_PATCH__Set), patch_property = map_uri(NULL, LV2_PATCH__property);
    LV2_URID patch_value = map_uri(NULL, LV2_PATCH__value);
    LV2_URID seq_type = map_uri(NULL, LV2_ATOM__Sequence), chunk_type = map_uri(NULL, LV2_ATOM__Chunk);

    lilv_instance_activate(inst);
    long total = info.frames, latency = -1, written = 0, fed = 0;
    float *output = calloc((size_t)total * (n_aout ? n_aout : 1), sizeof(float));
    for (long blk = 0; written < total; blk++) {
        int n = block;
        for (int c = 0; c < n_ain; c++)
            for (int t = 0; t < n; t++)
                audio_in[c][t] = fed + t < total ? input[(size_t)(fed + t) * info.channels + c] : 0.0f;
        lv2_atom_forge_set_buffer(&forge, (uint8_t *)atom_in, ATOM_CAPACITY);
        LV2_Atom_Forge_Frame seq_frame;
        lv2_atom_forge_sequence_head(&forge, &seq_frame, 0);
        if (blk == 0) {
            for (int s = 0; s < n_sets; s++) {
                const LilvNode *prop = find_parameter(world, plugin, set_name[s], &props);
                if (!prop) {
                    fprintf(stderr, "lv2_render: no parameter %s\n", set_name[s]);
                    return 1;
                }
                LV2_Atom_Forge_Frame obj;
                lv2_atom_forge_frame_time(&forge, 0);
                lv2_atom_forge_object(&forge, &obj, 0, patch_set);
                lv2_atom_forge_key(&forge, patch_property);
                lv2_atom_forge_urid(&forge, map_uri(NULL, lilv_node_as_uri(prop)));
                lv2_atom_forge_key(&forge, patch_value);
                lv2_atom_forge_float(&forge, set_value[s]);
                lv2_atom_forge_pop(&forge, &obj);
            }
        }
        lv2_atom_forge_pop(&forge, &seq_frame);
        atom_in->atom.type = seq_type;
        atom_out->atom.type = chunk_type;
        atom_out->atom.size = ATOM_CAPACITY - sizeof(LV2_Atom);
        lilv_instance_run(inst, (uint32_t)n);
        fed += n;
        if (latency < 0) {
            latency = latency_port >= 0 ? lrintf(control[latency_port]) : 0;
            printf("latency %ld\n", latency);
        }
        /* Drop the first `latency` frames: the output lines up with the input. */
        for (int t = 0; t < n; t++) {
            long at = fed - n + t - latency;
            if (at < 0 || at >= total) continue;
            for (int c = 0; c < n_aout; c++) output[(size_t)at * n_aout + c] = audio_out[c][t];
            written = at + 1;
        }
    }
    lilv_instance_deactivate(inst);
    lilv_instance_free(inst);

    SF_INFO out_info = {.samplerate = info.samplerate, .channels = n_aout, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *out = sf_open(out_path, SFM_WRITE, &out_info);
    if (!out) return fail(sf_strerror(NULL));
    sf_writef_float(out, output, total);
    sf_close(out);
    lilv_world_free(world);
    return 0;
}
