(module
 (type $0 (func))
 (type $1 (func (param i32 i32 i32 i32)))
 (type $2 (func (param i32 i32 i32 i32) (result i32)))
 (type $3 (func (param i32 i32 i32) (result i32)))
 (import "core" "memory" (memory $mem 1))
 (import "core" "execOne" (func $execOne))
 (import "core" "helper_shift" (func $shift (param i32 i32 i32 i32) (result i32)))
 (import "core" "helper_mul" (func $mul (param i32 i32 i32 i32)))
 (import "core" "helper_div" (func $div (param i32 i32 i32 i32)))
 (import "core" "helper_imul3" (func $imul3 (param i32 i32 i32) (result i32)))
 (export "block" (func $block))
 (func $block
  (local $0 i32)
  (local $1 i32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 i32)
  (local $10 i32)
  (local $11 i32)
  (local $12 i32)
  (local $13 i32)
  (local $14 i32)
  (local $15 i32)
  (local $16 i32)
  (local $17 i64)
  (local $18 i64)
  (local $19 i32)
  (local $20 i32)
  (local $21 i32)
  (local $22 i32)
  (local $23 i32)
  (local $24 i32)
  (local $25 i32)
  (local $26 i32)
  (local $27 i32)
  (local $28 i32)
  (local $29 i32)
  (local $30 i32)
  (local $31 i32)
  (local $32 i32)
  (local $33 i32)
  (block $exit
   (block $side
    (local.set $4
     (i32.load
      (i32.const 4096)
     )
    )
    (local.set $8
     (i32.load
      (i32.const 4112)
     )
    )
    (local.set $7
     (i32.load
      (i32.const 4108)
     )
    )
    (local.set $26
     (i32.load
      (i32.const 4168)
     )
    )
    (local.set $17
     (i64.load
      (i32.const 4224)
     )
    )
    (local.set $18
     (i64.load
      (i32.const 4232)
     )
    )
    (loop $dispatch
     (block $b0
      (br_table $b0 $b0
       (local.get $0)
      )
     )
     (block
      (local.set $1
       (i32.and
        (i32.sub
         (local.get $8)
         (i32.const 2)
        )
        (i32.const 65535)
       )
      )
      (local.set $2
       (i32.add
        (local.get $26)
        (local.get $1)
       )
      )
      (if
       (i32.ge_u
        (i32.sub
         (local.get $1)
         (i32.load
          (i32.const 4548)
         )
        )
        (i32.load
         (i32.const 4552)
        )
       )
       (then
        (local.set $20
         (i32.const 4096)
        )
        (br $side)
       )
      )
      (i32.store16 offset=1048576 align=1
       (local.get $2)
       (local.get $4)
      )
      (local.set $8
       (i32.and
        (local.get $1)
        (i32.const 65535)
       )
      )
      (local.set $1
       (local.get $8)
      )
      (local.set $2
       (i32.add
        (local.get $26)
        (local.get $1)
       )
      )
      (if
       (i32.ge_u
        (i32.sub
         (local.get $1)
         (i32.load
          (i32.const 4548)
         )
        )
        (i32.load
         (i32.const 4552)
        )
       )
       (then
        (local.set $20
         (i32.const 4097)
        )
        (local.set $17
         (i64.add
          (local.get $17)
          (i64.const 1)
         )
        )
        (br $side)
       )
      )
      (local.set $3
       (i32.load16_u offset=1048576 align=1
        (local.get $2)
       )
      )
      (local.set $8
       (i32.and
        (i32.add
         (local.get $8)
         (i32.const 2)
        )
        (i32.const 65535)
       )
      )
      (local.set $7
       (i32.and
        (local.get $3)
        (i32.const 65535)
       )
      )
      (local.set $17
       (i64.add
        (local.get $17)
        (i64.const 2)
       )
      )
      (i32.store
       (i32.const 4096)
       (local.get $4)
      )
      (i32.store
       (i32.const 4112)
       (local.get $8)
      )
      (i32.store
       (i32.const 4108)
       (local.get $7)
      )
      (i64.store
       (i32.const 4224)
       (local.get $17)
      )
      (i32.store
       (i32.const 4128)
       (i32.const 4098)
      )
      (call $execOne)
      (return)
     )
    )
   )
   (i32.store
    (i32.const 4540)
    (i32.add
     (i32.load
      (i32.const 4540)
     )
     (i32.const 1)
    )
   )
  )
  (i32.store
   (i32.const 4096)
   (local.get $4)
  )
  (i32.store
   (i32.const 4112)
   (local.get $8)
  )
  (i32.store
   (i32.const 4108)
   (local.get $7)
  )
  (i64.store
   (i32.const 4224)
   (local.get $17)
  )
  (i32.store
   (i32.const 4128)
   (local.get $20)
  )
 )
)
