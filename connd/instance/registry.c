/* Instance table: a chained hash by name plus a creation-ordered list
 * (see registry.h). Holds rows only; lifecycle rules live in lifecycle.c. */
#include "instance/registry.h"
#include "wg_alloc.h"
#include <stdlib.h>
#include <string.h>

struct wg_registry {
    wg_instance_t **buckets; /* hash chains by name */
    size_t nbuckets;         /* power of two */
    size_t count;            /* instances held */
    wg_instance_t *head;     /* oldest */
    wg_instance_t *tail;     /* newest */
};

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

wg_registry_t *wg_registry_new(void)
{
    wg_registry_t *reg = wg_calloc(1, sizeof *reg);
    reg->nbuckets = 64;
    reg->buckets = wg_calloc(reg->nbuckets, sizeof *reg->buckets);
    return reg;
}

void wg_registry_free(wg_registry_t *reg)
{
    if (!reg)
        return;
    while (reg->head)
        wg_registry_remove(reg, reg->head);
    free(reg->buckets);
    free(reg);
}

static void grow(wg_registry_t *reg)
{
    size_t n = reg->nbuckets * 2;
    wg_instance_t **b = wg_calloc(n, sizeof *b);
    for (wg_instance_t *i = reg->head; i; i = i->next_all) {
        size_t k = hash_name(i->row->name) & (n - 1);
        i->next_name = b[k];
        b[k] = i;
    }
    free(reg->buckets);
    reg->buckets = b;
    reg->nbuckets = n;
}

wg_instance_t *wg_registry_add(wg_registry_t *reg, Wg__Ipc__Instance *row)
{
    if (reg->count + 1 > reg->nbuckets)
        grow(reg);
    wg_instance_t *inst = wg_calloc(1, sizeof *inst);
    inst->row = row;
    size_t k = hash_name(row->name) & (reg->nbuckets - 1);
    inst->next_name = reg->buckets[k];
    reg->buckets[k] = inst;
    inst->prev_all = reg->tail;
    if (reg->tail)
        reg->tail->next_all = inst;
    else
        reg->head = inst;
    reg->tail = inst;
    reg->count++;
    return inst;
}

void wg_registry_remove(wg_registry_t *reg, wg_instance_t *inst)
{
    size_t k = hash_name(inst->row->name) & (reg->nbuckets - 1);
    for (wg_instance_t **pp = &reg->buckets[k]; *pp; pp = &(*pp)->next_name) {
        if (*pp == inst) {
            *pp = inst->next_name;
            break;
        }
    }
    if (inst->prev_all)
        inst->prev_all->next_all = inst->next_all;
    else
        reg->head = inst->next_all;
    if (inst->next_all)
        inst->next_all->prev_all = inst->prev_all;
    else
        reg->tail = inst->prev_all;
    reg->count--;
    wg_pb_free(inst->row);
    free(inst);
}

wg_instance_t *wg_registry_find(const wg_registry_t *reg, const char *name)
{
    if (!name)
        return NULL;
    for (wg_instance_t *i = reg->buckets[hash_name(name) & (reg->nbuckets - 1)]; i;
         i = i->next_name)
        if (strcmp(i->row->name, name) == 0)
            return i;
    return NULL;
}

wg_instance_t *wg_registry_find_id(const wg_registry_t *reg, const char *id)
{
    for (wg_instance_t *i = reg->head; id && i; i = i->next_all)
        if (strcmp(i->row->id, id) == 0)
            return i;
    return NULL;
}

wg_instance_t *wg_registry_first(const wg_registry_t *reg)
{
    return reg->head;
}

size_t wg_registry_count(const wg_registry_t *reg)
{
    return reg->count;
}

void *wg_pb_clone(const ProtobufCMessage *msg)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = wg_malloc(n);
    protobuf_c_message_pack(msg, buf);
    ProtobufCMessage *copy = protobuf_c_message_unpack(msg->descriptor, NULL, n, buf);
    free(buf);
    if (!copy)
        abort(); /* only fails on allocation: what we packed always unpacks */
    return copy;
}

void wg_pb_free(void *msg)
{
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

void wg_pb_set_str(char **field, const char *value)
{
    free(*field);
    *field = value ? wg_strdup(value) : NULL;
}
