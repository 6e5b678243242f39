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
    (local.set $7
     (i32.load
      (i32.const 4108)
     )
    )
    (local.set $10
     (i32.load
      (i32.const 4120)
     )
    )
    (local.set $11
     (i32.load
      (i32.const 4124)
     )
    )
    (local.set $12
     (i32.load
      (i32.const 4192)
     )
    )
    (local.set $13
     (i32.load
      (i32.const 4196)
     )
    )
    (local.set $14
     (i32.load
      (i32.const 4200)
     )
    )
    (local.set $15
     (i32.load
      (i32.const 4204)
     )
    )
    (local.set $33
     (i32.load
      (i32.const 4220)
     )
    )
    (local.set $27
     (i32.load
      (i32.const 4172)
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
        (i32.add
         (i32.add
          (i32.const 4)
          (local.get $7)
         )
         (local.get $10)
        )
        (i32.const 65535)
       )
      )
      (local.set $2
       (i32.add
        (local.get $27)
        (local.get $1)
       )
      )
      (local.set $4
       (i32.and
        (block (result i32)
         (if
          (i32.gt_u
           (i32.and
            (local.get $2)
            (i32.const 15)
           )
           (i32.const 14)
          )
          (then
           (if
            (i32.or
             (i32.gt_u
              (i32.and
               (local.get $2)
               (i32.const 4095)
              )
              (i32.const 4094)
             )
             (i32.gt_u
              (local.get $1)
              (i32.const 65534)
             )
            )
            (then
             (local.set $20
              (i32.const 4096)
             )
             (br $side)
            )
           )
          )
         )
         (if (result i32)
          (i32.ne
           (local.tee $3
            (i32.load offset=8192
             (i32.shl
              (i32.shr_u
               (local.get $2)
               (i32.const 12)
              )
              (i32.const 2)
             )
            )
           )
           (i32.const 1048576)
          )
          (then
           (if (result i32)
            (i32.and
             (local.get $3)
             (i32.const 4095)
            )
            (then
             (local.set $20
              (i32.const 4096)
             )
             (br $side)
            )
            (else
             (i32.load16_u align=1
              (i32.add
               (local.get $3)
               (local.get $2)
              )
             )
            )
           )
          )
          (else
           (i32.load16_u offset=1048576 align=1
            (local.get $2)
           )
          )
         )
        )
        (i32.const 65535)
       )
      )
      (local.set $1
       (i32.and
        (i32.add
         (i32.const 0)
         (local.get $11)
        )
        (i32.const 65535)
       )
      )
      (local.set $2
       (i32.add
        (local.get $27)
        (local.get $1)
       )
      )
      (local.set $16
       (block (result i32)
        (if
         (i32.gt_u
          (i32.and
           (local.get $2)
           (i32.const 15)
          )
          (i32.const 14)
         )
         (then
          (if
           (i32.or
            (i32.gt_u
             (i32.and
              (local.get $2)
              (i32.const 4095)
             )
             (i32.const 4094)
            )
            (i32.gt_u
             (local.get $1)
             (i32.const 65534)
            )
           )
           (then
            (local.set $20
             (i32.const 4099)
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
         )
        )
        (if (result i32)
         (i32.ne
          (local.tee $3
           (i32.load offset=8192
            (i32.shl
             (i32.shr_u
              (local.get $2)
              (i32.const 12)
             )
             (i32.const 2)
            )
           )
          )
          (i32.const 1048576)
         )
         (then
          (if (result i32)
           (i32.and
            (local.get $3)
            (i32.const 4095)
           )
           (then
            (local.set $20
             (i32.const 4099)
            )
            (local.set $17
             (i64.add
              (local.get $17)
              (i64.const 1)
             )
            )
            (br $side)
           )
           (else
            (i32.load16_u align=1
             (i32.add
              (local.get $3)
              (local.get $2)
             )
            )
           )
          )
         )
         (else
          (i32.load16_u offset=1048576 align=1
           (local.get $2)
          )
         )
        )
       )
      )
      (if
       (i32.gt_u
        (i32.and
         (local.get $2)
         (i32.const 15)
        )
        (i32.const 14)
       )
       (then
        (if
         (i32.or
          (i32.gt_u
           (i32.and
            (local.get $2)
            (i32.const 4095)
           )
           (i32.const 4094)
          )
          (i32.gt_u
           (local.get $1)
           (i32.const 65534)
          )
         )
         (then
          (local.set $20
           (i32.const 4099)
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
       )
      )
      (i32.store16 offset=1048576 align=1
       (if (result i32)
        (i32.ne
         (local.tee $3
          (i32.load offset=10240
           (i32.shl
            (i32.shr_u
             (local.get $2)
             (i32.const 12)
            )
            (i32.const 2)
           )
          )
         )
         (i32.const 1048576)
        )
        (then
         (if (result i32)
          (i32.eq
           (local.get $3)
           (i32.const 1048640)
          )
          (then
           (if
            (i32.and
             (i32.shr_u
              (i32.load16_u offset=27392 align=1
               (i32.shr_u
                (local.get $2)
                (i32.const 8)
               )
              )
              (i32.and
               (i32.shr_u
                (local.get $2)
                (i32.const 5)
               )
               (i32.const 7)
              )
             )
             (i32.sub
              (i32.shl
               (i32.const 2)
               (i32.shr_u
                (i32.add
                 (i32.and
                  (local.get $2)
                  (i32.const 31)
                 )
                 (i32.const 1)
                )
                (i32.const 5)
               )
              )
              (i32.const 1)
             )
            )
            (then
             (local.set $20
              (i32.const 4099)
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
           (local.get $2)
          )
          (else
           (if
            (i32.and
             (local.get $3)
             (i32.const 4095)
            )
            (then
             (local.set $20
              (i32.const 4099)
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
           (i32.sub
            (i32.add
             (i32.and
              (local.get $3)
              (i32.const -4096)
             )
             (local.get $2)
            )
            (i32.const 1048576)
           )
          )
         )
        )
        (else
         (local.get $2)
        )
       )
       (i32.add
        (local.get $16)
        (local.get $4)
       )
      )
      (local.set $15
       (i32.add
        (local.get $16)
        (local.get $4)
       )
      )
      (local.set $13
       (local.get $16)
      )
      (local.set $14
       (local.get $4)
      )
      (local.set $12
       (i32.const 4097)
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
       (i32.const 4108)
       (local.get $7)
      )
      (i32.store
       (i32.const 4120)
       (local.get $10)
      )
      (i32.store
       (i32.const 4124)
       (local.get $11)
      )
      (i32.store
       (i32.const 4192)
       (local.get $12)
      )
      (i32.store
       (i32.const 4196)
       (local.get $13)
      )
      (i32.store
       (i32.const 4200)
       (local.get $14)
      )
      (i32.store
       (i32.const 4204)
       (local.get $15)
      )
      (i32.store
       (i32.const 4220)
       (local.get $33)
      )
      (i64.store
       (i32.const 4224)
       (local.get $17)
      )
      (i32.store
       (i32.const 4128)
       (i32.const 4101)
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
   (i32.const 4108)
   (local.get $7)
  )
  (i32.store
   (i32.const 4120)
   (local.get $10)
  )
  (i32.store
   (i32.const 4124)
   (local.get $11)
  )
  (i32.store
   (i32.const 4192)
   (local.get $12)
  )
  (i32.store
   (i32.const 4196)
   (local.get $13)
  )
  (i32.store
   (i32.const 4200)
   (local.get $14)
  )
  (i32.store
   (i32.const 4204)
   (local.get $15)
  )
  (i32.store
   (i32.const 4220)
   (local.get $33)
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
